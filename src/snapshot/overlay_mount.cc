#include "snapshot/overlay_mount.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "core/error.h"
#include "core/process.h"
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

void set_option(int fs_fd, const char* key, const std::string& value, const fs::path& target) {
  if (::fsconfig(fs_fd, FSCONFIG_SET_STRING, key, value.c_str(), 0) != 0) {
    fail_errno(fmt::format("overlay option {} for", key), target.string());
  }
}

// Through the mount API of Linux 6.8 and later, which takes the lower directories one at a
// time ("lowerdir+"), so no page limits them (overlayfs still takes 500 at most).
void mount_one_by_one(const OverlayDirs& dirs, const fs::path& target) {
  UniqueFd fs_fd(::fsopen("overlay", FSOPEN_CLOEXEC));
  if (!fs_fd) fail_errno("open an overlay for", target.string());
  try {
    for (auto it = dirs.lowers.rbegin(); it != dirs.lowers.rend(); ++it) {
      set_option(fs_fd.get(), "lowerdir+", it->string(), target);
    }
    if (!dirs.upper.empty()) {
      set_option(fs_fd.get(), "upperdir", dirs.upper.string(), target);
      set_option(fs_fd.get(), "workdir", dirs.work.string(), target);
    }
    if (dirs.user_xattr && ::fsconfig(fs_fd.get(), FSCONFIG_SET_FLAG, "userxattr", nullptr, 0)) {
      fail_errno("overlay option userxattr for", target.string());
    }
    if (dirs.plain_upper) {
      set_option(fs_fd.get(), "redirect_dir", "off", target);
      set_option(fs_fd.get(), "metacopy", "off", target);
    }
    if (::fsconfig(fs_fd.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0) {
      fail_errno("create the overlay for", target.string());
    }
  } catch (const Error& e) {
    // An older kernel: the caller may fall back to a copy.
    fail(ErrorKind::kUnsupported,
         fmt::format("overlay of {} layers: the mount options exceed one page and {}",
                     dirs.lowers.size(), e.what()));
  }
  UniqueFd mnt(::fsmount(fs_fd.get(), FSMOUNT_CLOEXEC, dirs.upper.empty() ? MOUNT_ATTR_RDONLY : 0));
  if (!mnt) fail_errno("mount overlay on", target.string());
  if (::move_mount(mnt.get(), "", AT_FDCWD, target.c_str(), MOVE_MOUNT_F_EMPTY_PATH) != 0) {
    fail_errno("mount overlay on", target.string());
  }
}

// Runs a mount program or fusermount3; throws what it printed when it fails. A FUSE program
// daemonizes once mounted, its daemon writing to /dev/null, so the pipe ends when the mount is
// there.
void run_program(std::vector<std::string> argv, std::string_view what) {
  ChildExit exit = run_collecting(argv, what);
  if (exited_zero(exit.status)) return;
  std::string output = exit.output;
  while (!output.empty() && (output.back() == '\n' || output.back() == ' ')) output.pop_back();
  fail(ErrorKind::kIo, fmt::format("{} {}: {} failed{}{}", what, argv.back(), argv[0],
                                   output.empty() ? "" : ": ", output));
}

// fuse-overlayfs splits lowerdir at ':' with no escape.
void mount_with_program(const OverlayDirs& dirs, const fs::path& target) {
  std::string options = "lowerdir=";
  for (auto it = dirs.lowers.rbegin(); it != dirs.lowers.rend(); ++it) {
    if (it->string().find(':') != std::string::npos) {
      fail(ErrorKind::kUnsupported,
           fmt::format("{} cannot take the directory {}: it has a ':' in its path",
                       dirs.mount_program.string(), it->string()));
    }
    if (it != dirs.lowers.rbegin()) options += ':';
    options += escaped(*it);
  }
  if (!dirs.upper.empty()) {
    options += ",upperdir=" + escaped(dirs.upper) + ",workdir=" + escaped(dirs.work);
  }
  run_program({dirs.mount_program.string(), "-o", options, target.string()}, "mount overlay on");
}

}  // namespace

void mount_overlay(const OverlayDirs& dirs, const fs::path& target) {
  if (dirs.lowers.empty()) fail(ErrorKind::kInvalidInput, "an overlay needs a lower directory");
  if (!dirs.mount_program.empty()) return mount_with_program(dirs, target);
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
  if (dirs.plain_upper) options += ",redirect_dir=off,metacopy=off";
  if (options.size() > kMaxOptions) return mount_one_by_one(dirs, target);
  if (dirs.user_xattr) options += ",userxattr";
  unsigned long flags = dirs.upper.empty() ? MS_RDONLY : 0;
  if (::mount("overlay", target.c_str(), "overlay", flags, options.c_str()) != 0) {
    fail_errno("mount overlay on", target.string());
  }
}

bool overlay_works(const fs::path& scratch_parent, std::string* why,
                   const fs::path& mount_program) {
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
    mount_overlay({.lowers = {base / "l1", base / "l2"},
                   .upper = base / "upper",
                   .work = base / "work",
                   .mount_program = mount_program},
                  base / "merged");
    works = true;
    unmount_if_mounted(base / "merged");
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
  if (errno == EINVAL || errno == ENOENT) return;
  // EPERM without CAP_SYS_ADMIN: a FUSE mount of ours is unmounted by the setuid helper.
  if (errno == EPERM) return run_program({"fusermount3", "-u", "-z", target.string()}, "unmount");
  fail_errno("unmount", target.string());
}

}  // namespace schicht::snapshot
