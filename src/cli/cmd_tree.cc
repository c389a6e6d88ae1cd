// image tree: an image's layers as podman draws them (layer IDs as containers/storage makes
// them: the first layer's diffID, then sha256(parent ID + "+" + diffID)), with which images a layer
// tops and, beyond podman, which other images share it — the cost of a base layer across derived
// images. --whatrequires draws the layers above the image as podman does: a branch wherever a
// layer has several children.
#include <deque>
#include <map>
#include <utility>

#include <fmt/format.h>

#include "artifacts/local.h"
#include "cli/commands.h"
#include "cli/humanize.h"
#include "core/error.h"
#include "store/lookup.h"

namespace schicht::cli {
namespace {

// A layer as containers/storage keeps them: one per chain ID, with its parent and children in
// the order they were first created (the order of the images that brought them).
struct Layer {
  Digest id;  // the chain ID
  uint64_t size = 0;
  const Layer* parent = nullptr;
  std::vector<const Layer*> children;
  std::vector<std::string> tops;  // names of the images whose top layer this is
};

// The layers of images, each once. Chain IDs are the first layer's diffID, then
// sha256(parent ID + "+" + diffID): a layer is its parent plus a diffID, so it is looked up by
// those and hashed only when first seen.
class LayerTree {
 public:
  // Adds `image`'s layers (creating those not seen yet) and returns them, base first.
  std::vector<const Layer*> add(const store::ImageChain& image) {
    std::vector<const Layer*> chain;
    Layer* parent = nullptr;
    for (size_t i = 0; i < image.diff_ids.size(); ++i) {
      const Digest& diff_id = image.diff_ids[i];
      auto key = std::make_pair(static_cast<const Layer*>(parent), diff_id.str());
      auto it = by_parent_.find(key);
      if (it == by_parent_.end()) {
        Digest id = parent ? Digest::sha256_of(std::string(parent->id.hex()) + "+" +
                                               std::string(diff_id.hex()))
                           : diff_id;
        Layer& layer = layers_.emplace_back(Layer{id, image.sizes[i], parent, {}, {}});
        if (parent) parent->children.push_back(&layer);
        it = by_parent_.emplace(std::move(key), &layer).first;
      }
      parent = it->second;
      chain.push_back(parent);
    }
    if (parent) parent->tops.insert(parent->tops.end(), image.names.begin(), image.names.end());
    return chain;
  }

 private:
  std::deque<Layer> layers_;                                          // stable addresses
  std::map<std::pair<const Layer*, std::string>, Layer*> by_parent_;  // by parent and diffID
};

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : " ") + n;
  return "[" + out + "]";
}

std::string layer_text(const Layer& layer) {
  std::string text =
      fmt::format("ID: {} Size: {}", layer.id.short_hex(), human_size_compact(layer.size));
  if (!layer.tops.empty()) text += " Top Layer of: " + join_names(layer.tops);
  return text;
}

// A drawing as podman's (gotree's): each item under its parent, "├── " or "└── " before it and
// "│   " or "    " for each level above it.
struct Drawing {
  std::string text;
  std::deque<Drawing> items;  // stable addresses while children are added below a sibling
};

void draw_items(const std::deque<Drawing>& items, const std::string& indent, std::string& out) {
  for (size_t i = 0; i < items.size(); ++i) {
    bool last = i + 1 == items.size();
    out += indent + (last ? "└── " : "├── ") + items[i].text + "\n";
    draw_items(items[i].items, indent + (last ? "    " : "│   "), out);
  }
}

// podman's walk for --whatrequires: a layer that is its parent's only child continues the
// drawing it is in; one with siblings opens a branch of its own.
void draw_children(const Layer& layer, Drawing& drawing) {
  bool branch = layer.parent && layer.parent->children.size() > 1;
  Drawing& here = drawing.items.emplace_back(Drawing{layer_text(layer), {}});
  for (const Layer* child : layer.children) draw_children(*child, branch ? here : drawing);
}

}  // namespace

int cmd_image_tree(Context& ctx, ImageTreeOptions& parsed, Invocation& invocation) {
  auto& [whatrequires, referrers] = parsed;
  auto& positional = invocation.positional;
  auto [store_of_image, id] = ctx.resolve_image(positional[0]);  // additional stores too
  store::Store& store = *store_of_image;
  auto image = store.image(id);

  // Only the images on the same base layer can share a layer with this one (a chain ID covers
  // every layer below it), so the rest of the store is never read.
  auto layers = store.layers(id);
  std::vector<store::ImageChain> related;
  if (!layers.empty()) related = store.image_chains_on_base(layers.front().diff_id);
  LayerTree tree;
  std::vector<const Layer*> mine;
  std::map<const Layer*, std::vector<std::string>> users;  // names of the other images on it
  for (const auto& other : related) {
    auto chain = tree.add(other);
    if (other.id == id) {
      mine = chain;
      continue;
    }
    std::vector<std::string> names = other.names;
    if (names.empty()) names.push_back(other.id.short_hex());
    for (const Layer* layer : chain) {
      auto& u = users[layer];
      u.insert(u.end(), names.begin(), names.end());
    }
  }

  Drawing drawing{
      fmt::format("Image ID: {}\nTags:     {}\nSize:     {}\nImage Layers", id.short_hex(),
                  join_names(image->names), human_size_compact(image->size)),
      {}};
  if (whatrequires) {
    if (!mine.empty()) draw_children(*mine.back(), drawing);
  } else {
    for (const Layer* layer : mine) {
      std::string text = layer_text(*layer);
      if (auto u = users.find(layer); u != users.end())
        text += " Shared with: " + join_names(u->second);
      drawing.items.push_back(Drawing{text, {}});
    }
  }
  std::string out = drawing.text + "\n";
  draw_items(drawing.items, "", out);
  if (referrers) {
    // Artifacts name the image by its manifest digest (their subject), as registries do.
    Drawing refs{"Referrers", {}};
    for (const auto& a : artifacts::local_referrers(store, image->manifest_digest)) {
      std::string type = artifacts::referrer_descriptor(a.manifest).artifact_type;
      refs.items.push_back(
          Drawing{fmt::format("{} {} ({})", a.info.manifest.str(), type, a.info.name), {}});
    }
    out += refs.text + "\n";
    draw_items(refs.items, "", out);
  }
  fmt::print("{}\n", out);
  return 0;
}

}  // namespace schicht::cli
