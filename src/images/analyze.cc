#include "images/analyze.h"

#include <algorithm>

#include "archive/tar_reader.h"
#include "images/inspect.h"

namespace schicht::images {

void FileAccounting::file(size_t layer, const std::string& path, uint64_t size) {
  layers_[layer].bytes += size;
  total_ += size;
  auto it = files_.find(path);
  if (it == files_.end()) {
    ++layers_[layer].added;
  } else {
    ++layers_[layer].modified;
    waste(it->first, it->second);
  }
  files_[path] = {size, layer};
}

void FileAccounting::remove(size_t layer, const std::string& path) {
  ++layers_[layer].removed;
  erase_if(
      [&](const std::string& p, const File&) { return p == path || p.starts_with(path + "/"); });
}

void FileAccounting::opaque(size_t layer, const std::string& dir) {
  ++layers_[layer].removed;
  erase_if([&](const std::string& p, const File& f) {
    return f.layer < layer && (dir.empty() || p.starts_with(dir + "/"));
  });
}

void FileAccounting::waste(const std::string& path, const File& f) {
  layers_[f.layer].wasted += f.size;
  wasted_total_ += f.size;
  if (f.size > 0) wasted_.push_back({path, f.size, f.layer});
}

template <typename Pred>
void FileAccounting::erase_if(Pred pred) {
  for (auto it = files_.begin(); it != files_.end();) {
    if (pred(it->first, it->second)) {
      waste(it->first, it->second);
      it = files_.erase(it);
    } else {
      ++it;
    }
  }
}

namespace {

// One layer's tar, entry by entry, into the accounting.
void account_layer(FileAccounting& accounting, size_t layer, Reader& reader,
                   const std::string& name) {
  TarReader tar(reader, name);
  TarEntry entry;
  while (tar.next(entry)) {
    std::string path = clean_entry_path(entry.path, name);
    size_t slash = path.rfind('/');
    std::string dir = slash == std::string::npos ? "" : path.substr(0, slash);
    std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
    if (base == ".wh..wh..opq") {
      accounting.opaque(layer, dir);
    } else if (base.starts_with(".wh.")) {
      accounting.remove(layer, (dir.empty() ? "" : dir + "/") + base.substr(4));
    } else if (entry.type == TarEntry::Type::kFile) {
      accounting.file(layer, path, entry.size);
    }
  }
}

}  // namespace

ImageAnalysis analyze_image(store::Store& store, const Digest& id,
                            std::span<const snapshot::LayerSource> sources) {
  auto layers = store.layers(id);
  ImageConfig config = image_config(store, id);
  std::vector<LayerAnalysis> start;
  start.reserve(layers.size());
  for (const auto& l : layers)
    start.push_back(LayerAnalysis{.digest = l.digest, .diff_id = l.diff_id});
  FileAccounting accounting(std::move(start));
  // History entries that made layers, in order.
  std::vector<std::string> made_by;
  for (const auto& h : config.history) {
    if (!h.empty_layer) made_by.push_back(h.created_by);
  }
  for (size_t i = 0; i < sources.size(); ++i) {
    if (i < made_by.size()) accounting.layers()[i].created_by = made_by[i];
    auto reader = sources[i].open_uncompressed();
    account_layer(accounting, i, *reader, "layer " + layers[i].digest.str());
  }
  ImageAnalysis out;
  out.total_bytes = accounting.total();
  out.wasted_bytes = accounting.wasted();
  out.efficiency = out.total_bytes == 0 ? 1.0
                                        : static_cast<double>(out.total_bytes - out.wasted_bytes) /
                                              static_cast<double>(out.total_bytes);
  out.largest_wasted = std::move(accounting.wasted_files());
  std::sort(out.largest_wasted.begin(), out.largest_wasted.end(),
            [](const WastedFile& a, const WastedFile& b) { return a.bytes > b.bytes; });
  if (out.largest_wasted.size() > 10) out.largest_wasted.resize(10);
  out.layers = std::move(accounting.layers());
  return out;
}

nlohmann::ordered_json analysis_json(const Digest& id, const ImageAnalysis& a) {
  using nlohmann::ordered_json;
  ordered_json doc;
  doc["image"] = std::string(id.hex());
  doc["totalBytes"] = a.total_bytes;
  doc["wastedBytes"] = a.wasted_bytes;
  doc["efficiency"] = a.efficiency;
  doc["layers"] = ordered_json::array();
  for (const auto& l : a.layers) {
    doc["layers"].push_back({{"digest", l.digest.str()},
                             {"diffID", l.diff_id.str()},
                             {"bytes", l.bytes},
                             {"added", l.added},
                             {"modified", l.modified},
                             {"removed", l.removed},
                             {"wastedBytes", l.wasted},
                             {"createdBy", l.created_by}});
  }
  doc["largestWasted"] = ordered_json::array();
  for (const auto& w : a.largest_wasted) {
    doc["largestWasted"].push_back(
        {{"path", w.path}, {"bytes", w.bytes}, {"layer", a.layers[w.layer].digest.str()}});
  }
  return doc;
}

}  // namespace schicht::images
