// Beyond podman: `image analyze IMAGE` — why is this image so big? Streams each layer once and
// finds, per layer, the files it adds, modifies and removes and the bytes it wastes (files a
// later layer overwrites or deletes), with the history entry that made it; then the image's
// wasted bytes, efficiency and largest wasted files. CI thresholds make it exit 1.
#include <map>

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "archive/tar_reader.h"
#include "cli/commands.h"
#include "cli/humanize.h"
#include "cli/image_json.h"
#include "cli/report.h"
#include "containers/containers.h"
#include "core/error.h"
#include "oci/config.h"
#include "store/lookup.h"

namespace schicht::cli {
namespace {

using nlohmann::ordered_json;

struct LayerStats {
  uint64_t bytes = 0, added = 0, modified = 0, removed = 0, wasted = 0;
  std::string created_by;
};

struct Wasted {
  std::string path;
  uint64_t bytes;
  size_t layer;
};

class Analysis {
 public:
  explicit Analysis(size_t layers) : layers_(layers) {}

  void file(size_t layer, const std::string& path, uint64_t size) {
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

  // A whiteout: `path` and everything under it goes.
  void remove(size_t layer, const std::string& path) {
    ++layers_[layer].removed;
    erase_if(
        [&](const std::string& p, const File&) { return p == path || p.starts_with(path + "/"); });
  }

  // An opaque directory: everything lower layers put under `dir` goes.
  void opaque(size_t layer, const std::string& dir) {
    ++layers_[layer].removed;
    erase_if([&](const std::string& p, const File& f) {
      return f.layer < layer && (dir.empty() || p.starts_with(dir + "/"));
    });
  }

  std::vector<LayerStats>& layers() { return layers_; }
  uint64_t total() const { return total_; }
  uint64_t wasted() const { return wasted_total_; }
  std::vector<Wasted>& wasted_files() { return wasted_; }

 private:
  struct File {
    uint64_t size;
    size_t layer;
  };
  void waste(const std::string& path, const File& f) {
    layers_[f.layer].wasted += f.size;
    wasted_total_ += f.size;
    if (f.size > 0) wasted_.push_back({path, f.size, f.layer});
  }
  template <typename Pred>
  void erase_if(Pred pred) {
    for (auto it = files_.begin(); it != files_.end();) {
      if (pred(it->first, it->second)) {
        waste(it->first, it->second);
        it = files_.erase(it);
      } else {
        ++it;
      }
    }
  }

  std::vector<LayerStats> layers_;
  std::map<std::string, File> files_;
  std::vector<Wasted> wasted_;
  uint64_t total_ = 0, wasted_total_ = 0;
};

double parse_fraction(const std::string& text) {
  try {
    size_t end = 0;
    double v = std::stod(text, &end);
    if (end == text.size() && v >= 0 && v <= 1) return v;
  } catch (const std::exception&) {
  }
  fail(ErrorKind::kInvalidInput,
       fmt::format("invalid efficiency {:?}: expected a number from 0 to 1", text));
}

}  // namespace

int cmd_image_analyze(Context& ctx, ImageAnalyzeOptions& parsed, Invocation& invocation) {
  auto& [format, lowest, highest] = parsed;
  auto& names = invocation.positional;
  auto [holder, id] = ctx.resolve_image(names[0]);  // additional image stores too
  store::Store& store = *holder;
  auto layers = store.layers(id);
  auto sources = containers::layer_sources(store, id);
  ImageConfig config = load_config(store, id);
  Analysis analysis(layers.size());
  // History entries that made layers, in order.
  std::vector<std::string> made_by;
  for (const auto& h : config.history) {
    if (!h.empty_layer) made_by.push_back(h.created_by);
  }
  for (size_t i = 0; i < sources.size(); ++i) {
    if (i < made_by.size()) analysis.layers()[i].created_by = made_by[i];
    auto reader = sources[i].open_uncompressed();
    std::string name = "layer " + layers[i].digest.str();
    TarReader tar(*reader, name);
    TarEntry entry;
    while (tar.next(entry)) {
      std::string path = clean_entry_path(entry.path, name);
      size_t slash = path.rfind('/');
      std::string dir = slash == std::string::npos ? "" : path.substr(0, slash);
      std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
      if (base == ".wh..wh..opq") {
        analysis.opaque(i, dir);
      } else if (base.starts_with(".wh.")) {
        analysis.remove(i, (dir.empty() ? "" : dir + "/") + base.substr(4));
      } else if (entry.type == TarEntry::Type::kFile) {
        analysis.file(i, path, entry.size);
      }
    }
  }
  auto& wasted = analysis.wasted_files();
  std::sort(wasted.begin(), wasted.end(),
            [](const Wasted& a, const Wasted& b) { return a.bytes > b.bytes; });
  if (wasted.size() > 10) wasted.resize(10);
  double efficiency = analysis.total() == 0
                          ? 1.0
                          : static_cast<double>(analysis.total() - analysis.wasted()) /
                                static_cast<double>(analysis.total());

  ordered_json doc;
  doc["image"] = std::string(id.hex());
  doc["totalBytes"] = analysis.total();
  doc["wastedBytes"] = analysis.wasted();
  doc["efficiency"] = efficiency;
  doc["layers"] = ordered_json::array();
  for (size_t i = 0; i < layers.size(); ++i) {
    const LayerStats& l = analysis.layers()[i];
    doc["layers"].push_back({{"digest", layers[i].digest.str()},
                             {"diffID", layers[i].diff_id.str()},
                             {"bytes", l.bytes},
                             {"added", l.added},
                             {"modified", l.modified},
                             {"removed", l.removed},
                             {"wastedBytes", l.wasted},
                             {"createdBy", l.created_by}});
  }
  doc["largestWasted"] = ordered_json::array();
  for (const auto& w : wasted) {
    doc["largestWasted"].push_back(
        {{"path", w.path}, {"bytes", w.bytes}, {"layer", layers[w.layer].digest.str()}});
  }

  std::string out;
  if (!format.empty() && is_json_format(format)) {
    out = json_report(doc, 4);
  } else if (!format.empty()) {
    Template::parse(normalize_format(format), "analyze").execute(out, doc);
  } else {
    out += fmt::format("Image {}: {} in {} layers, {} wasted, efficiency {:.1f}%\n\n",
                       id.short_hex(), human_size_compact(analysis.total()), layers.size(),
                       human_size_compact(analysis.wasted()), efficiency * 100);
    ordered_json rows = ordered_json::array();
    for (size_t i = 0; i < layers.size(); ++i) {
      const LayerStats& l = analysis.layers()[i];
      std::string by = l.created_by.size() > 40 ? l.created_by.substr(0, 37) + "..." : l.created_by;
      rows.push_back({{"Layer", layers[i].digest.short_hex()},
                      {"Size", human_size_compact(l.bytes)},
                      {"Added", l.added},
                      {"Modified", l.modified},
                      {"Removed", l.removed},
                      {"Wasted", human_size_compact(l.wasted)},
                      {"CreatedBy", by}});
    }
    ReportSpec spec{.name = "analyze",
                    .default_format =
                        "table {{.Layer}}\t{{.Size}}\t{{.Added}}\t{{.Modified}}\t"
                        "{{.Removed}}\t{{.Wasted}}\t{{.CreatedBy}}\n",
                    .headers = {{"Layer", "LAYER"},
                                {"Size", "SIZE"},
                                {"Added", "ADDED"},
                                {"Modified", "MODIFIED"},
                                {"Removed", "REMOVED"},
                                {"Wasted", "WASTED"},
                                {"CreatedBy", "CREATED BY"}}};
    write_report(out, spec, {}, rows);
    if (!wasted.empty()) {
      out += "\nLargest wasted files:\n";
      for (const auto& w : wasted) {
        out += fmt::format("  {:>10}  {}  (layer {})\n", human_size_compact(w.bytes), w.path,
                           layers[w.layer].digest.short_hex());
      }
    }
  }
  fmt::print("{}", out);
  int code = 0;
  if (!lowest.empty() && efficiency < parse_fraction(lowest)) {
    fmt::print(stderr, "efficiency {:.4f} is below the lowest allowed, {}\n", efficiency, lowest);
    code = 1;
  }
  if (!highest.empty()) {
    uint64_t limit = parse_byte_size(highest);
    if (analysis.wasted() > limit) {
      fmt::print(stderr, "{} wasted bytes exceed the highest allowed, {}\n", analysis.wasted(),
                 highest);
      code = 1;
    }
  }
  return code;
}

}  // namespace schicht::cli
