// Beyond podman: `image analyze IMAGE` — why is this image so big? The analysis is
// images/analyze.h's; here: podman-style rendering (a summary, a table per layer, the largest
// wasted files; json or a Go template over the document) and the CI thresholds that make it
// exit 1.
#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/render.h"
#include "containers/containers.h"
#include "core/error.h"
#include "images/analyze.h"
#include "store/lookup.h"

namespace schicht::cli {
namespace {

using images::ImageAnalysis;
using nlohmann::ordered_json;

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

// The default output: a summary line, a table of the layers, the largest wasted files.
void write_analysis_text(std::string& out, const Digest& id, const ImageAnalysis& a) {
  out += fmt::format("Image {}: {} in {} layers, {} wasted, efficiency {:.1f}%\n\n", id.short_hex(),
                     human_size_compact(a.total_bytes), a.layers.size(),
                     human_size_compact(a.wasted_bytes), a.efficiency * 100);
  ordered_json rows = ordered_json::array();
  for (const auto& l : a.layers) {
    std::string by = l.created_by.size() > 40 ? l.created_by.substr(0, 37) + "..." : l.created_by;
    rows.push_back({{"Layer", l.digest.short_hex()},
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
  if (a.largest_wasted.empty()) return;
  out += "\nLargest wasted files:\n";
  for (const auto& w : a.largest_wasted) {
    out += fmt::format("  {:>10}  {}  (layer {})\n", human_size_compact(w.bytes), w.path,
                       a.layers[w.layer].digest.short_hex());
  }
}

}  // namespace

int cmd_image_analyze(Context& ctx, ImageAnalyzeOptions& parsed, Invocation& invocation) {
  auto& [format, lowest, highest] = parsed;
  auto& names = invocation.positional;
  auto [holder, id] = ctx.resolve_image(names[0]);  // additional image stores too
  auto sources = containers::layer_sources(*holder, id);
  ImageAnalysis analysis = images::analyze_image(*holder, id, sources);
  std::string out;
  if (!format.empty() && is_json_format(format)) {
    out = json_report(images::analysis_json(id, analysis), 4);
  } else if (!format.empty()) {
    Template::parse(normalize_format(format), "analyze")
        .execute(out, images::analysis_json(id, analysis));
  } else {
    write_analysis_text(out, id, analysis);
  }
  fmt::print("{}", out);
  double efficiency = analysis.efficiency;
  int code = 0;
  if (!lowest.empty() && efficiency < parse_fraction(lowest)) {
    fmt::print(stderr, "efficiency {:.4f} is below the lowest allowed, {}\n", efficiency, lowest);
    code = 1;
  }
  if (!highest.empty()) {
    uint64_t limit = parse_byte_size(highest);
    if (analysis.wasted_bytes > limit) {
      fmt::print(stderr, "{} wasted bytes exceed the highest allowed, {}\n", analysis.wasted_bytes,
                 highest);
      code = 1;
    }
  }
  return code;
}

}  // namespace schicht::cli
