// Store::image_chains_on_base: the images `image tree` compares an image's layers with. Walks
// from the base layer's diffID through the layer and manifest indexes to the images, instead
// of listing every image of the store and its layers.
#include <map>

#include "store/db.h"
#include "store/store.h"

namespace schicht::store {
namespace {

// The images whose current manifest has, at position 0, a layer with diffID ?1.
constexpr std::string_view kOnBase =
    "WITH based AS ("
    " SELECT i.id, i.added, i.rowid AS seq, i.manifest_digest FROM layers l"
    " JOIN manifest_layers e ON e.layer_digest = l.digest AND e.position = 0"
    " JOIN image_manifests m ON m.digest = e.manifest_digest"
    " JOIN images i ON i.id = m.image_id AND i.manifest_digest = e.manifest_digest"
    " WHERE l.diff_id = ?1) ";

}  // namespace

std::vector<ImageChain> Store::image_chains_on_base(const Digest& base_diff_id) {
  std::vector<ImageChain> out;
  std::map<std::string, size_t> by_id;
  Statement layers(*db_, std::string(kOnBase) +
                             "SELECT based.id, l.diff_id, l.uncompressed_size FROM based "
                             "JOIN manifest_layers e ON e.manifest_digest = based.manifest_digest "
                             "JOIN layers l ON l.digest = e.layer_digest "
                             "ORDER BY based.added, based.seq, e.position");
  layers.bind(1, base_diff_id.str());
  while (layers.step()) {
    std::string id = layers.text(0);
    auto [it, inserted] = by_id.try_emplace(id, out.size());
    if (inserted) out.push_back(ImageChain{Digest::parse(id), {}, {}, {}});
    out[it->second].diff_ids.push_back(Digest::parse(layers.text(1)));
    out[it->second].sizes.push_back(static_cast<uint64_t>(layers.integer(2)));
  }
  if (out.empty()) return out;
  Statement names(*db_, std::string(kOnBase) +
                            "SELECT n.image_id, n.name FROM names n "
                            "WHERE n.image_id IN (SELECT id FROM based) ORDER BY n.added, n.rowid");
  names.bind(1, base_diff_id.str());
  while (names.step()) {
    if (auto it = by_id.find(names.text(0)); it != by_id.end()) {
      out[it->second].names.push_back(names.text(1));
    }
  }
  return out;
}

}  // namespace schicht::store
