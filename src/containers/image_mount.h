// `image mount` / `image unmount`: an image's root filesystem, read-only, at
// <root>/mounts/<image id>, made by the storage driver (storage_driver.h). The caller checks
// that it may mount (root) and that the store is writable.
#pragma once

#include "containers/storage_driver.h"
#include "core/digest.h"
#include "core/fs.h"
#include "store/store.h"

namespace schicht::containers {

// Where `image mount` mounts the image: <root>/mounts/<image id>.
fs::path mount_point(store::Store& store, const Digest& image);

// Mounts the image's root filesystem, read-only, on `target` (a failed vfs mount leaves no tree).
void mount_image(store::Store& store, const Digest& image, const fs::path& target,
                 const DriverRequest& request);

// Unmounts the image if `image mount` mounted it (rmi does, before removing it).
void unmount_image(store::Store& store, const Digest& image);

}  // namespace schicht::containers
