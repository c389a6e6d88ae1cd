// image mount / image unmount: an image's root filesystem, read-only, at
// <root>/mounts/<image id>. With the overlay driver (storage_driver.h) a read-only overlay of
// the image's diff snapshots (a one-layer image gets the empty <root>/mounts/.empty below its
// layer, as the kernel wants two lowers); with vfs a read-only bind mount of the snapshots
// flattened into <root>/mounts/.trees/<image id>, deleted by unmount. Root only, as in podman;
// rootless gets podman's error.
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/containers.h"
#include "cli/mounts.h"
#include "cli/storage_driver.h"
#include "core/error.h"
#include "snapshot/overlay_mount.h"
#include "snapshot/safe_tree.h"
#include "snapshot/snapshotter.h"
#include "snapshot/tree_copy.h"
#include "store/db.h"
#include "store/lookup.h"
#include "store/pull_up.h"

namespace schicht::cli {
namespace {

fs::path mount_point(store::Store& store, const Digest& id) {
  return store.root() / "mounts" / std::string(id.hex());
}

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

// Mounts the image's root filesystem, read-only, on `target`.
void mount_image(Context& ctx, store::Store& store, const Digest& id, const fs::path& target) {
  StorageDriver driver = storage_driver(ctx);
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
                               .mount_program = overlay_mount_program(ctx)},
                              target);
      return;
    } catch (const Error& e) {
      if (ctx.options().storage_driver == "overlay" || e.kind() != ErrorKind::kUnsupported) throw;
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

void require_root(std::string_view command) {
  if (::geteuid() != 0) {
    fail(ErrorKind::kUnsupported,
         // podman's message: inside `schicht unshare` the caller is root of the namespace that
         // maps the store's ids, with a mount namespace of its own.
         fmt::format("cannot run command \"schicht {}\" in rootless mode, must execute "
                     "`schicht unshare` first",
                     command));
  }
}

}  // namespace

void unmount_image(store::Store& store, const Digest& id) {
  fs::path target = mount_point(store, id);
  // A kernel mount, or a FUSE one (overlay.mount_program) that needs fusermount3 rootless.
  if (is_mounted(target)) snapshot::unmount_if_mounted(target);
  std::error_code ec;
  fs::remove(target, ec);  // an empty directory; a leftover is harmless
  remove_flattened_tree(store, id);
}

int cmd_image_mount(Context& ctx, CommandArgs args) {
  FlagSet flags;
  std::string format;
  flags.add_string("format", 0, &format, "Print the mounted images in specified format (json)");
  bool help = false;
  auto names = parse_command_flags(ctx, flags, args, "schicht image mount [IMAGE...]", &help);
  if (help) return 0;
  require_root("image mount");
  store::Store& store = ctx.store();
  if (names.empty()) {
    for (const auto& image : store.images()) {
      fs::path target = mount_point(store, image.id);
      if (!is_mounted(target)) continue;
      std::string name = image.names.empty() ? std::string(image.id.hex()) : image.names.front();
      fmt::print("{}  {}\n", name, target.string());
    }
    return 0;
  }
  for (const auto& name : names) {
    auto [holder, id] = ctx.resolve_image(name);
    if (holder->additional()) {
      // Mounts and snapshots live in the primary store, beside the image they show: an image
      // of an additional store is pulled up into it first, as `create` does.
      store.db().require_writable();
      store::pull_up_image(store, *holder, id);
    }
    fs::path target = mount_point(store, id);
    if (!is_mounted(target)) {
      // A new mount writes snapshots and a mount point into the store.
      store.db().require_writable();
      mount_image(ctx, store, id, target);
    }
    fmt::print("{}\n", target.string());
  }
  return 0;
}

int cmd_image_unmount(Context& ctx, CommandArgs args) {
  FlagSet flags;
  bool all = false, force = false;
  flags.add_bool("all", 'a', &all, "Unmount all of the currently mounted images");
  flags.add_bool("force", 'f', &force,
                 "Force the complete unmount of the specified mounted images");
  bool help = false;
  auto names = parse_command_flags(ctx, flags, args, "schicht image unmount [IMAGE...]", &help);
  if (help) return 0;
  require_root("image unmount");
  store::Store& store = ctx.store();
  std::vector<Digest> ids;
  if (all) {
    for (const auto& image : store.images()) {
      if (is_mounted(mount_point(store, image.id))) ids.push_back(image.id);
    }
  } else {
    if (names.empty()) fail(ErrorKind::kInvalidInput, "image name or ID must be specified");
    for (const auto& name : names) ids.push_back(store::resolve_image(store, name));
  }
  for (const auto& id : ids) {
    unmount_image(store, id);
    fmt::print("{}\n", id.hex());
  }
  return 0;
}

}  // namespace schicht::cli
