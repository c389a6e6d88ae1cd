#include "store/image_children.h"

#include <algorithm>

#include "content/blob_store.h"
#include "core/time.h"
#include "oci/config.h"

namespace schicht::store {
namespace {

// podman compares the parsed times (time.Time.Equal), so "…Z" equals "…+00:00".
bool same_time(const std::string& a, const std::string& b) {
  if (a == b) return true;
  auto ta = try_parse_rfc3339(a), tb = try_parse_rfc3339(b);
  return ta && tb && rfc3339_to_unix_nanos(a) == rfc3339_to_unix_nanos(b);
}

bool same_entry(const HistoryEntry& a, const HistoryEntry& b) {
  return same_time(a.created, b.created) && a.created_by == b.created_by && a.author == b.author &&
         a.comment == b.comment && a.empty_layer == b.empty_layer;
}

}  // namespace

bool has_child_image(Store& store, const Digest& id) {
  std::vector<LayerInfo> layers = store.layers(id);
  if (layers.empty()) return false;
  std::optional<ImageConfig> parent;
  for (const auto& candidate : store.image_chains_on_base(layers.front().diff_id)) {
    if (candidate.id == id) continue;
    size_t n = layers.size();
    if (candidate.diff_ids.size() != n && candidate.diff_ids.size() != n + 1) continue;
    bool prefix = std::equal(layers.begin(), layers.end(), candidate.diff_ids.begin(),
                             [](const LayerInfo& l, const Digest& d) { return l.diff_id == d; });
    if (!prefix) continue;
    if (!parent) parent = parse_config(store.blobs().read(id));
    ImageConfig child = parse_config(store.blobs().read(candidate.id));
    if (child.history.size() != parent->history.size() + 1) continue;
    if (std::equal(parent->history.begin(), parent->history.end(), child.history.begin(),
                   same_entry)) {
      return true;
    }
  }
  return false;
}

}  // namespace schicht::store
