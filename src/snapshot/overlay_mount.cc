#include "snapshot/overlay_mount.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "core/error.h"
#include "snapshot/safe_tree.h"

namespace schicht::snapshot {
namespace {

// One page, the most mount(2) copies of the options.
constexpr size_t kMaxOptions = 4095;

// overlayfs splits lowerdir at ':' and the options at ',', both unless escaped with '\'.
std::string escaped(const fs::path& path) {
  std::string out;
  for (char c : path.string()) {
    if (c == ':' || c == ',' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

void mount_overlay(const OverlayDirs& dirs, const fs::path& target) {
  if (dirs.lowers.empty()) fail(ErrorKind::kInvalidInput, "an overlay needs a lower directory");
  std::string options = "lowerdir=";
  // overlayfs lists the topmost lower first.
  for (auto it = dirs.lowers.rbegin(); it != dirs.lowers.rend(); ++it) {
    if (it != dirs.lowers.rbegin()) options += ':';
    options += escaped(*it);
  }
  if (!dirs.upper.empty()) {
    options += ",upperdir=" + escaped(dirs.upper) + ",workdir=" + escaped(dirs.work);
  } else if (dirs.lowers.size() < 2) {
    fail(ErrorKind::kInvalidInput, "a read-only overlay needs two lower directories");
  }
  if (options.size() > kMaxOptions) {
    fail(ErrorKind::kUnsupported,
         fmt::format("overlay of {} layers on {}: the mount options exceed one page",
                     dirs.lowers.size(), target.string()));
  }
  if (dirs.user_xattr) options += ",userxattr";
  unsigned long flags = dirs.upper.empty() ? MS_RDONLY : 0;
  if (::mount("overlay", target.c_str(), "overlay", flags, options.c_str()) != 0) {
    fail_errno("mount overlay on", target.string());
  }
}

bool overlay_works(const fs::path& scratch_parent, std::string* why) {
  std::string tmpl = (scratch_parent / ".overlay-probe-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) {
    if (why)
      *why =
          fmt::format("creating a probe in {}: {}", scratch_parent.string(), std::strerror(errno));
    return false;
  }
  fs::path base = tmpl;
  bool works = false;
  try {
    for (const char* name : {"l1", "l2", "upper", "work", "merged"}) make_dirs(base / name, 0755);
    mount_overlay(
        {.lowers = {base / "l1", base / "l2"}, .upper = base / "upper", .work = base / "work"},
        base / "merged");
    works = true;
    ::umount2((base / "merged").c_str(), MNT_DETACH);
  } catch (const Error& e) {
    if (why) *why = e.what();
  }
  ignore_error("a leftover probe directory is harmless", [&] {
    UniqueFd parent(::open(scratch_parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!parent) fail_errno("open", scratch_parent.string());
    remove_tree_at(parent.get(), base.filename().string());
  });
  return works;
}

void unmount_if_mounted(const fs::path& target) {
  if (::umount2(target.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) == 0) return;
  // EINVAL: not a mount point; ENOENT: not there at all.
  if (errno != EINVAL && errno != ENOENT) fail_errno("unmount", target.string());
}

}  // namespace schicht::snapshot
