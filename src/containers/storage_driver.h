// --storage-driver: how containers' and mounted images' root filesystems are made from the
// diff snapshots (snapshotter.h). "overlay": a kernel overlayfs mount of the chain's snapshots,
// a container adding its own upper directory, made in milliseconds; "vfs": a copy, the chain
// flattened into a directory of its own. Unset, overlay is used where it can be mounted (it is
// probed once per process on the store's file system) and vfs elsewhere; "overlay" where it
// cannot be mounted is an error. `info` shows the choice as graphDriverName.
//
// The overlay is the kernel's, or one a mount program makes (fuse-overlayfs, in user space):
// the one the storage options name (overlay.mount_program, store/storage_conf.h), which must be
// an executable file; else, where the kernel's cannot be mounted (rootless without kernel
// support), fuse-overlayfs when it is installed and can mount one here (probed like the
// kernel's, as containers/storage does). `info` shows the program under graphOptions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/fs.h"

namespace schicht::containers {

enum class StorageDriver { kOverlay, kVfs };

// What the global options say about the driver, and where the store is (overlay is probed on
// its file system).
struct DriverRequest {
  fs::path root;                          // the store's root
  std::string asked;                      // --storage-driver: "overlay", "vfs" or empty
  std::vector<std::string> storage_opts;  // --storage-opt (overlay.mount_program=)
};

// The driver `request` asks for, probing overlayfs when it leaves the choice open. The probe's
// result is kept for the rest of the process.
StorageDriver storage_driver(const DriverRequest& request);

// The program that mounts overlays when storage_driver(request) is kOverlay; empty: the kernel.
const std::string& overlay_mount_program(const DriverRequest& request);

// Whether build steps run on overlays (builder/overlay_root.h): the driver is overlay, mounted
// with the kernel's overlayfs by real root (no mount program, no user namespace). "overlay"
// asked for where it cannot be mounted is no error here: builds flatten then, as vfs does.
bool build_steps_on_overlay(const DriverRequest& request);

// "overlay" or "vfs", as podman names them.
std::string_view storage_driver_name(StorageDriver driver);

// Whether pull unpacks layers while it pulls them (copy/storage_image.h): `asked` (pull
// --unpack, else containers.conf's image_unpack) when given; otherwise exactly when the driver
// is overlay, whose containers mount the snapshots as they are (vfs copies them anyway).
bool unpack_on_pull(const DriverRequest& request, std::optional<bool> asked);

// Whether this process runs in a user namespace (then overlays need `userxattr`).
bool in_user_namespace();

}  // namespace schicht::containers
