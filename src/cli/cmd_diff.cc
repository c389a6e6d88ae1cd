// image diff: what changed between two images' file systems, or between an image and its
// parent layers (images/diff.h), printed as podman prints it.
#include <optional>
#include <span>

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/render.h"
#include "containers/containers.h"
#include "core/error.h"
#include "images/diff.h"
#include "store/lookup.h"

namespace schicht::cli {

using nlohmann::ordered_json;

namespace {

// The image and the store holding it (an additional image store too).
Context::StoredImage resolve(Context& ctx, const std::string& name) {
  auto found = ctx.find_image(name);
  if (!found) {
    fail(ErrorKind::kNotFound, fmt::format("{} not found: {}: image not known", name, name));
  }
  return *found;
}

// The changes as podman prints them: "A path", "C path", "D path" lines, or its JSON.
void print_changes(const std::vector<snapshot::TreeChange>& changes, const std::string& format) {
  if (format.empty()) {
    std::string out;
    for (const auto& c : changes) {
      char kind = c.kind == snapshot::TreeChange::Kind::kAdd      ? 'A'
                  : c.kind == snapshot::TreeChange::Kind::kDelete ? 'D'
                                                                  : 'C';
      out += fmt::format("{} {}\n", kind, c.path);
    }
    fmt::print("{}", out);
    return;
  }
  if (!is_json_format(format)) {
    fail(ErrorKind::kInvalidInput, "only supported value for '--format' is 'json'");
  }
  // podman's ChangesReportJSON: empty groups are left out (omitempty).
  ordered_json report = ordered_json::object();
  for (auto [kind, key] : {std::pair{snapshot::TreeChange::Kind::kModify, "changed"},
                           std::pair{snapshot::TreeChange::Kind::kAdd, "added"},
                           std::pair{snapshot::TreeChange::Kind::kDelete, "deleted"}}) {
    ordered_json paths = ordered_json::array();
    for (const auto& c : changes) {
      if (c.kind == kind) paths.push_back(c.path);
    }
    if (!paths.empty()) report[key] = std::move(paths);
  }
  fmt::print("{}", json_report(report, 5));
}

}  // namespace

int cmd_image_diff(Context& ctx, ImageDiffOptions& parsed, Invocation& invocation) {
  auto& [format] = parsed;
  auto& names = invocation.positional;
  // As podman: the first image is the new tree; the old one is the second image, else the
  // first one's layers but its top. Each is read from the store that holds it.
  auto to_image = resolve(ctx, names[0]);
  std::optional<Context::StoredImage> from_image;
  if (names.size() == 2) from_image = resolve(ctx, names[1]);
  auto to_layers = containers::layer_sources(*to_image.store, to_image.id);
  std::optional<std::vector<snapshot::LayerSource>> from_layers;
  if (from_image) from_layers = containers::layer_sources(*from_image->store, from_image->id);
  std::vector<snapshot::TreeChange> changes =
      from_layers ? images::image_changes(to_layers, std::span(*from_layers))
                  : images::image_changes(to_layers, std::nullopt);
  print_changes(changes, format);
  return 0;
}

}  // namespace schicht::cli
