// image mount / image unmount: podman's flags and output; the mounts themselves are
// containers/image_mount.h's. Root only, as in podman; rootless gets podman's error.
#include <unistd.h>

#include <fmt/format.h>

#include "cli/commands.h"
#include "containers/image_mount.h"
#include "containers/mounts.h"
#include "copy/pull_up.h"
#include "core/error.h"
#include "store/db.h"
#include "store/lookup.h"

namespace schicht::cli {
namespace {

using containers::is_mounted;
using containers::unmount_image;

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

int cmd_image_mount(Context& ctx, ImageMountOptions& parsed, Invocation& invocation) {
  [[maybe_unused]] auto& [format] = parsed;
  auto& names = invocation.positional;
  require_root("image mount");
  store::Store& store = ctx.store();
  if (names.empty()) {
    for (const auto& m : containers::mounted_images(store)) {
      fmt::print("{}  {}\n", m.name, m.target.string());
    }
    return 0;
  }
  for (const auto& name : names) {
    auto [holder, id] = ctx.resolve_image(name);
    if (holder->additional()) {
      // Mounts and snapshots live in the primary store, beside the image they show: an image
      // of an additional store is pulled up into it first, as `create` does.
      store.db().require_writable();
      copy::pull_up_image(store, *holder, id);
    }
    fs::path target = containers::mount_stored_image(store, id, driver_request(ctx));
    fmt::print("{}\n", target.string());
  }
  return 0;
}

int cmd_image_unmount(Context& ctx, ImageUnmountOptions& parsed, Invocation& invocation) {
  auto& [all, force] = parsed;
  auto& names = invocation.positional;
  require_root("image unmount");
  store::Store& store = ctx.store();
  std::vector<Digest> ids;
  if (all) {
    for (const auto& image : store.images()) {
      if (is_mounted(containers::mount_point(store, image.id))) ids.push_back(image.id);
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
