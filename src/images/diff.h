// `image diff`'s model: what changed between two stacks of layers, as podman's vfs driver
// reports it, from the layers' tar headers alone (snapshot/tree_listing.h). Printing the
// changes (A/C/D lines or podman's JSON) is the caller's.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "snapshot/snapshotter.h"
#include "snapshot/tree_listing.h"

namespace schicht::images {

// The changes from the `from` stack to the `to` stack (both base first), in tree_changes' order.
// Without `from`, podman's: the changes of `to`'s top layer (its other layers are `from`).
// Layers both stacks start with are read once. The mount points podman leaves out of every diff
// (libpod's containerMounts: /dev, /proc, /etc/hosts, ...) are left out.
std::vector<snapshot::TreeChange> image_changes(
    std::span<const snapshot::LayerSource> to,
    std::optional<std::span<const snapshot::LayerSource>> from);

}  // namespace schicht::images
