// image tree: an image's layers as podman draws them (layer IDs as containers/storage makes
// them: the first layer's diffID, then sha256(parent ID + "+" + diffID)), with which images a layer
// tops and, beyond podman, which other images share it — the cost of a base layer across derived
// images.
#include <map>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/humanize.h"
#include "core/error.h"
#include "store/lookup.h"

namespace schicht::cli {
namespace {

struct Chain {
  std::vector<Digest> ids;      // chain ID of each prefix, base first
  std::vector<uint64_t> sizes;  // uncompressed size of each layer
};

Chain chain_of(const std::vector<store::LayerInfo>& layers) {
  Chain c;
  for (const auto& layer : layers) {
    c.ids.push_back(c.ids.empty() ? layer.diff_id
                                  : Digest::sha256_of(std::string(c.ids.back().hex()) + "+" +
                                                      std::string(layer.diff_id.hex())));
    c.sizes.push_back(layer.uncompressed_size);
  }
  return c;
}

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : " ") + n;
  return "[" + out + "]";
}

}  // namespace

int cmd_image_tree(Context& ctx, CommandArgs args) {
  FlagSet flags;
  bool whatrequires = false;
  flags.add_bool("whatrequires", 0, &whatrequires,
                 "Show all child images and layers of the specified image");
  bool help = false;
  auto positional =
      parse_command_flags(ctx, flags, args, "schicht image tree [options] IMAGE", &help);
  if (help) return 0;
  if (positional.size() != 1) {
    fail(ErrorKind::kInvalidInput, fmt::format("accepts 1 arg(s), received {}", positional.size()));
  }
  store::Store& store = ctx.store();
  Digest id = store::resolve_image(store, positional[0]);
  auto image = store.image(id);

  // The chains of the images on the same base layer: no other image can share a layer (a
  // chain ID covers every layer below it), so the rest of the store is never read.
  auto layers = store.layers(id);
  Chain mine = chain_of(layers);
  std::vector<store::ImageLayers> related;
  if (!layers.empty()) related = store.images_on_base_layer(layers.front().diff_id);
  std::vector<Chain> chains;
  std::map<std::string, std::vector<std::string>> tops, users;  // layer ID → names
  for (const auto& other : related) {
    const Chain& c = chains.emplace_back(chain_of(other.layers));
    std::vector<std::string> names = other.names;
    if (names.empty()) names.push_back(other.id.short_hex());
    if (!c.ids.empty()) {
      auto& t = tops[c.ids.back().str()];
      t.insert(t.end(), names.begin(), names.end());
    }
    if (other.id == id) continue;
    for (const auto& cid : c.ids) {
      auto& u = users[cid.str()];
      u.insert(u.end(), names.begin(), names.end());
    }
  }
  std::string out =
      fmt::format("Image ID: {}\nTags:     {}\nSize:     {}\nImage Layers\n", id.short_hex(),
                  join_names(image->names), human_size_compact(image->size));
  size_t first = whatrequires && !mine.ids.empty() ? mine.ids.size() - 1 : 0;
  for (size_t i = first; i < mine.ids.size(); ++i) {
    bool last = i + 1 == mine.ids.size();
    std::string line = fmt::format("{} ID: {} Size: {}", last ? "└──" : "├──",
                                   mine.ids[i].short_hex(), human_size_compact(mine.sizes[i]));
    if (auto t = tops.find(mine.ids[i].str()); t != tops.end()) {
      line += " Top Layer of: " + join_names(t->second);
    }
    if (auto u = users.find(mine.ids[i].str()); !whatrequires && u != users.end()) {
      line += " Shared with: " + join_names(u->second);
    }
    out += line + "\n";
  }
  if (whatrequires && !mine.ids.empty()) {
    // Images built on this one: their chains extend this image's chain.
    for (size_t k = 0; k < related.size(); ++k) {
      const auto& other = related[k];
      const Chain& c = chains[k];
      if (other.id == id) continue;
      if (c.ids.size() <= mine.ids.size() || c.ids[mine.ids.size() - 1] != mine.ids.back())
        continue;
      for (size_t i = mine.ids.size(); i < c.ids.size(); ++i) {
        std::string line =
            fmt::format("    {} ID: {} Size: {}", i + 1 == c.ids.size() ? "└──" : "├──",
                        c.ids[i].short_hex(), human_size_compact(c.sizes[i]));
        if (i + 1 == c.ids.size()) {
          line += " Top Layer of: " +
                  join_names(other.names.empty() ? std::vector<std::string>{other.id.short_hex()}
                                                 : other.names);
        }
        out += line + "\n";
      }
    }
  }
  fmt::print("{}\n", out);
  return 0;
}

}  // namespace schicht::cli
