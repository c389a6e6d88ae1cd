#include "images/layer_tree.h"

#include <fmt/format.h>

#include "core/error.h"

namespace schicht::images {

std::vector<TreeLayer*> LayerTree::add(const store::ImageChain& image) {
  std::vector<TreeLayer*> chain;
  TreeLayer* parent = nullptr;
  for (size_t i = 0; i < image.diff_ids.size(); ++i) {
    const Digest& diff_id = image.diff_ids[i];
    auto key = std::make_pair(static_cast<const TreeLayer*>(parent), diff_id.str());
    auto it = by_parent_.find(key);
    if (it == by_parent_.end()) {
      Digest id =
          parent
              ? Digest::sha256_of(std::string(parent->id.hex()) + "+" + std::string(diff_id.hex()))
              : diff_id;
      TreeLayer& layer = layers_.emplace_back(TreeLayer{id, image.sizes[i], parent, {}, {}, {}});
      if (parent) parent->children.push_back(&layer);
      it = by_parent_.emplace(std::move(key), &layer).first;
    }
    parent = it->second;
    chain.push_back(parent);
  }
  if (parent) parent->tops.insert(parent->tops.end(), image.names.begin(), image.names.end());
  return chain;
}

ImageLayers image_layers(store::Store& store, const Digest& id) {
  auto image = store.image(id);
  if (!image) fail(ErrorKind::kNotFound, fmt::format("{}: image not known", id.str()));
  ImageLayers out{std::move(*image), {}, {}};
  auto layers = store.layers(id);
  std::vector<store::ImageChain> related;
  if (!layers.empty()) related = store.image_chains_on_base(layers.front().diff_id);
  for (const auto& other : related) {
    auto chain = out.tree.add(other);
    if (other.id == id) {
      out.layers.assign(chain.begin(), chain.end());
      continue;
    }
    std::vector<std::string> names = other.names;
    if (names.empty()) names.push_back(other.id.short_hex());
    for (TreeLayer* layer : chain) {
      layer->shared_with.insert(layer->shared_with.end(), names.begin(), names.end());
    }
  }
  return out;
}

}  // namespace schicht::images
