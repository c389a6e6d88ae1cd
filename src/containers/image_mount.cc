// The read-only root filesystem of an image that `image mount` makes at
// <root>/mounts/<image id>. With the overlay driver (storage_driver.h) a read-only overlay of
// the image's diff snapshots (a one-layer image gets the empty <root>/mounts/.empty below its
// layer, as the kernel wants two lowers); with vfs a read-only bind mount of the snapshots
// flattened into <root>/mounts/.trees/<image id>, deleted by unmount.
#include "containers/image_mount.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>
#include <cerrno>

#include "containers/containers.h"
#include "containers/mounts.h"
#include "core/error.h"
#include "snapshot/overlay_mount.h"
#include "snapshot/safe_tree.h"
#include "snapshot/snapshotter.h"
#include "snapshot/tree_copy.h"
#include "store/db.h"

namespace schicht::containers {
namespace {

fs::path flattened_tree(store::Store& store, const Digest& id) {
  return store.root() / "mounts" / ".trees" / std::string(id.hex());
}

void remove_flattened_tree(store::Store& store, const Digest& id) {
  fs::path trees = store.root() / "mounts" / ".trees";
  UniqueFd dir(::open(trees.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir) snapshot::remove_tree_at(dir.get(), std::string(id.hex()));
}

void bind_read_only(const fs::path& from, const fs::path& target) {
  if (::mount(from.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) != 0) {
    fail_errno("bind mount on", target.string());
  }
  if (::mount(nullptr, target.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) != 0) {
    int saved = errno;
    ::umount2(target.c_str(), MNT_DETACH);
    errno = saved;
    fail_errno("remount read-only", target.string());
  }
}

}  // namespace

fs::path mount_point(store::Store& store, const Digest& id) {
  return store.root() / "mounts" / std::string(id.hex());
}

void mount_image(store::Store& store, const Digest& id, const fs::path& target,
                 const DriverRequest& request) {
  StorageDriver driver = storage_driver(request);
  snapshot::Snapshotter snapshots(store.root() / "snapshots");
  // Held while mounting; once mounted, the image (which rmi unmounts first) keeps them.
  snapshot::HeldSnapshot held = snapshots.prepare_held(layer_sources(store, id));
  std::vector<fs::path> lowers = held.paths();
  make_dirs(target, 0755);
  if (driver == StorageDriver::kOverlay) {
    if (lowers.size() == 1) {
      fs::path empty = store.root() / "mounts" / ".empty";
      make_dirs(empty, 0755);
      lowers.insert(lowers.begin(), empty);
    }
    try {
      snapshot::mount_overlay({.lowers = lowers,
                               .user_xattr = in_user_namespace(),
                               .mount_program = overlay_mount_program(request)},
                              target);
      return;
    } catch (const Error& e) {
      if (request.asked == "overlay" || e.kind() != ErrorKind::kUnsupported) throw;
    }
  }
  fs::path tree = flattened_tree(store, id);
  remove_flattened_tree(store, id);  // a leftover of a failed mount
  make_dirs(tree, 0755);
  try {
    UniqueFd to(::open(tree.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!to) fail_errno("open", tree.string());
    snapshot::flatten_diffs(held.paths(), to.get(), true);
    bind_read_only(tree, target);
  } catch (const Error&) {
    ignore_error("rolling back a failed mount; the first error is reported",
                 [&] { remove_flattened_tree(store, id); });
    throw;
  }
}

void unmount_image(store::Store& store, const Digest& id) {
  fs::path target = mount_point(store, id);
  // A kernel mount, or a FUSE one (overlay.mount_program) that needs fusermount3 rootless.
  if (is_mounted(target)) snapshot::unmount_if_mounted(target);
  std::error_code ec;
  fs::remove(target, ec);  // an empty directory; a leftover is harmless
  remove_flattened_tree(store, id);
}

fs::path mount_stored_image(store::Store& store, const Digest& id, const DriverRequest& request) {
  fs::path target = mount_point(store, id);
  if (!is_mounted(target)) {
    // A new mount writes snapshots and a mount point into the store.
    store.db().require_writable();
    mount_image(store, id, target, request);
  }
  return target;
}

std::vector<MountedImage> mounted_images(store::Store& store) {
  std::vector<MountedImage> out;
  for (const auto& image : store.images()) {
    fs::path target = mount_point(store, image.id);
    if (!is_mounted(target)) continue;
    std::string name = image.names.empty() ? std::string(image.id.hex()) : image.names.front();
    out.push_back({image.id, std::move(name), std::move(target)});
  }
  return out;
}

}  // namespace schicht::containers
