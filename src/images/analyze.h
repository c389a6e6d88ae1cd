// `image analyze` (beyond podman): why an image is so big. Each layer's tar is read once, in
// order; per layer: the bytes of the files it holds, the files it adds, modifies and removes
// (whiteouts, opaque directories) and the bytes it wastes (its files a later layer overwrites
// or deletes), with the history entry that made it; then the image's totals, its efficiency
// and its largest wasted files, and the document `--format` shows. Rendering and the CI
// thresholds are the caller's.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/digest.h"
#include "snapshot/snapshotter.h"
#include "store/store.h"

namespace schicht::images {

struct LayerAnalysis {
  Digest digest, diff_id;
  uint64_t bytes = 0, added = 0, modified = 0, removed = 0, wasted = 0;
  std::string created_by;  // the history entry that made the layer ("" when none says)
};

struct WastedFile {
  std::string path;
  uint64_t bytes;
  size_t layer;  // index into ImageAnalysis::layers
};

struct ImageAnalysis {
  std::vector<LayerAnalysis> layers;  // base first
  uint64_t total_bytes = 0, wasted_bytes = 0;
  double efficiency = 1.0;                 // (total - wasted) / total; 1 for an empty image
  std::vector<WastedFile> largest_wasted;  // at most 10, largest first
};

// Analyses `id` of `store`, reading its layers through `sources` (one per layer, base first:
// containers::layer_sources gives them). kInvalidInput/kIntegrity as the tars are read.
ImageAnalysis analyze_image(store::Store& store, const Digest& id,
                            std::span<const snapshot::LayerSource> sources);

// The analysis of image `id` as the document `--format json` prints and templates run over
// (schicht's own: camel-case keys, digests in full, sizes in bytes).
nlohmann::ordered_json analysis_json(const Digest& id, const ImageAnalysis& analysis);

// The file bookkeeping alone, layer by layer, for analyze_image and its tests: a regular file,
// a whiteout of `path` (everything under it goes too), an opaque directory `dir` ("" is the
// root: everything lower layers put under it goes). `layers` come in with their digests.
class FileAccounting {
 public:
  explicit FileAccounting(std::vector<LayerAnalysis> layers) : layers_(std::move(layers)) {}
  void file(size_t layer, const std::string& path, uint64_t size);
  void remove(size_t layer, const std::string& path);
  void opaque(size_t layer, const std::string& dir);

  std::vector<LayerAnalysis>& layers() { return layers_; }
  uint64_t total() const { return total_; }
  uint64_t wasted() const { return wasted_total_; }
  std::vector<WastedFile>& wasted_files() { return wasted_; }

 private:
  struct File {
    uint64_t size;
    size_t layer;
  };
  void waste(const std::string& path, const File& f);
  template <typename Pred>
  void erase_if(Pred pred);

  std::vector<LayerAnalysis> layers_;
  std::map<std::string, File> files_;
  std::vector<WastedFile> wasted_;
  uint64_t total_ = 0, wasted_total_ = 0;
};

}  // namespace schicht::images
