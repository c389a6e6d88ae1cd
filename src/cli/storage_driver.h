// --storage-driver: how containers' and mounted images' root filesystems are made from the
// diff snapshots (snapshotter.h). "overlay": a kernel overlayfs mount of the chain's snapshots,
// a container adding its own upper directory, made in milliseconds; "vfs": a copy, the chain
// flattened into a directory of its own. Unset, overlay is used where it can be mounted (it is
// probed once per process on the store's file system) and vfs elsewhere; "overlay" where it
// cannot be mounted is an error. `info` shows the choice as graphDriverName.
#pragma once

#include <string_view>

#include "cli/context.h"

namespace schicht::cli {

enum class StorageDriver { kOverlay, kVfs };

// The driver the global options ask for, probing overlayfs when they leave the choice open.
StorageDriver storage_driver(Context& ctx);

// "overlay" or "vfs", as podman names them.
std::string_view storage_driver_name(StorageDriver driver);

// Whether this process runs in a user namespace (then overlays need `userxattr`).
bool in_user_namespace();

}  // namespace schicht::cli
