// image diff: what changed between two images' file systems, or between an image and its
// parent layers, as podman's vfs driver reports it, from the layers' tar headers alone.
#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/report.h"
#include "containers/containers.h"
#include "core/error.h"
#include "snapshot/tree_listing.h"
#include "store/lookup.h"

namespace schicht::cli {

using nlohmann::ordered_json;

namespace {

// Mount points podman leaves out of every diff (libpod's containerMounts).
bool is_container_mount(std::string_view path) {
  static constexpr std::string_view kMounts[] = {
      "/dev",  "/etc/hostname", "/etc/hosts",         "/etc/resolv.conf",
      "/proc", "/run",          "/run/.containerenv", "/run/secrets",
      "/sys"};
  for (auto m : kMounts) {
    if (path == m) return true;
  }
  return false;
}

// The image and the store holding it (an additional image store too).
Context::StoredImage resolve(Context& ctx, const std::string& name) {
  auto found = ctx.find_image(name);
  if (!found) {
    fail(ErrorKind::kNotFound, fmt::format("{} not found: {}: image not known", name, name));
  }
  return *found;
}

void apply_layers(snapshot::TreeListing& listing, std::span<const snapshot::LayerSource> layers) {
  for (const auto& layer : layers) {
    auto reader = layer.open_uncompressed();
    listing.apply(*reader, "layer " + layer.diff_id.str());
  }
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
  std::vector<snapshot::LayerSource> from_layers;
  if (from_image) {
    from_layers = containers::layer_sources(*from_image->store, from_image->id);
  } else if (!to_layers.empty()) {
    from_layers.assign(to_layers.begin(), to_layers.end() - 1);
  }
  // Layers both stacks start with are read once.
  size_t shared = 0;
  while (shared < to_layers.size() && shared < from_layers.size() &&
         to_layers[shared].diff_id == from_layers[shared].diff_id) {
    ++shared;
  }
  snapshot::TreeListing from;
  apply_layers(from, std::span(from_layers).first(shared));
  snapshot::TreeListing to = from;
  apply_layers(from, std::span(from_layers).subspan(shared));
  apply_layers(to, std::span(to_layers).subspan(shared));

  std::vector<snapshot::TreeChange> changes;
  for (auto& change : snapshot::tree_changes(from, to)) {
    if (!is_container_mount(change.path)) changes.push_back(std::move(change));
  }
  if (format.empty()) {
    std::string out;
    for (const auto& c : changes) {
      char kind = c.kind == snapshot::TreeChange::Kind::kAdd      ? 'A'
                  : c.kind == snapshot::TreeChange::Kind::kDelete ? 'D'
                                                                  : 'C';
      out += fmt::format("{} {}\n", kind, c.path);
    }
    fmt::print("{}", out);
    return 0;
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
  return 0;
}

}  // namespace schicht::cli
