// `image tree`'s model: an image's layers as containers/storage keeps them (one per chain ID:
// the first layer's diffID, then sha256(parent ID + "+" + diffID)), which images each layer
// tops and, beyond podman, which other images share it. Only the images on the image's base
// layer can share one (a chain ID covers every layer below it), so the rest of the store is
// never read. Drawing the tree is the caller's.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/digest.h"
#include "store/store.h"

namespace schicht::images {

struct TreeLayer {
  Digest id;  // the chain ID
  uint64_t size = 0;
  const TreeLayer* parent = nullptr;
  // In the order they were first created (the order of the images that brought them).
  std::vector<const TreeLayer*> children;
  std::vector<std::string> tops;  // names of the images whose top layer this is
  // Names (or short IDs, when unnamed) of the other images on this layer, by image_layers.
  std::vector<std::string> shared_with;
};

// The layers of images, each once: a layer is its parent plus a diffID, so it is looked up by
// those and hashed only when first seen. Layers keep their addresses while the tree lives
// (moving it too).
class LayerTree {
 public:
  // Adds `image`'s layers (creating those not seen yet) and returns them, base first.
  std::vector<TreeLayer*> add(const store::ImageChain& image);

 private:
  std::deque<TreeLayer> layers_;
  std::map<std::pair<const TreeLayer*, std::string>, TreeLayer*> by_parent_;  // parent, diffID
};

struct ImageLayers {
  store::ImageInfo image;
  LayerTree tree;                        // every layer of the images on the same base
  std::vector<const TreeLayer*> layers;  // the image's own, base first (none: no layers)
};

// `id` of `store` and its layers in the tree; kNotFound when it is not an image there.
ImageLayers image_layers(store::Store& store, const Digest& id);

}  // namespace schicht::images
