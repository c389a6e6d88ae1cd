#include "images/diff.h"

#include <string_view>

namespace schicht::images {
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

void apply_layers(snapshot::TreeListing& listing, std::span<const snapshot::LayerSource> layers) {
  for (const auto& layer : layers) {
    auto reader = layer.open_uncompressed();
    listing.apply(*reader, "layer " + layer.diff_id.str());
  }
}

}  // namespace

std::vector<snapshot::TreeChange> image_changes(
    std::span<const snapshot::LayerSource> to,
    std::optional<std::span<const snapshot::LayerSource>> from) {
  std::span<const snapshot::LayerSource> from_layers = from         ? *from
                                                       : to.empty() ? to
                                                                    : to.first(to.size() - 1);
  size_t shared = 0;
  while (shared < to.size() && shared < from_layers.size() &&
         to[shared].diff_id == from_layers[shared].diff_id) {
    ++shared;
  }
  snapshot::TreeListing old_tree;
  apply_layers(old_tree, from_layers.first(shared));
  snapshot::TreeListing new_tree = old_tree;
  apply_layers(old_tree, from_layers.subspan(shared));
  apply_layers(new_tree, to.subspan(shared));
  std::vector<snapshot::TreeChange> changes;
  for (auto& change : snapshot::tree_changes(old_tree, new_tree)) {
    if (!is_container_mount(change.path)) changes.push_back(std::move(change));
  }
  return changes;
}

}  // namespace schicht::images
