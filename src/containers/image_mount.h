// `image mount` / `image unmount`: an image's root filesystem, read-only, at
// <root>/mounts/<image id>, made by the storage driver (storage_driver.h). The caller checks
// that it may mount (root) and that the store is writable.
#pragma once

#include <string>
#include <vector>

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

// `image mount IMAGE`: the image `id` of `store` mounted (if it was not) at its mount point,
// which is returned. An image of an additional store must be pulled up into the primary store
// first (copy/pull_up.h): mounts and snapshots live beside the image they show. kReadOnly (the
// database's) when a new mount would write a read-only store.
fs::path mount_stored_image(store::Store& store, const Digest& id, const DriverRequest& request);

// `image mount` without arguments: the images `image mount` has mounted, in the store's order,
// each with the name it is shown by (its first name, else its ID).
struct MountedImage {
  Digest id;
  std::string name;
  fs::path target;
};
std::vector<MountedImage> mounted_images(store::Store& store);

}  // namespace schicht::containers
