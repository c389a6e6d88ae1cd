#include "snapshot/overlay_form.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "core/error.h"
#include "core/fs.h"

namespace schicht::snapshot {
namespace {

constexpr const char* kTrustedOpaque = "trusted.overlay.opaque";
constexpr const char* kUserOpaque = "user.overlay.opaque";

bool has_yes(int fd, const char* name) {
  char value[4];
  ssize_t n = ::fgetxattr(fd, name, value, sizeof value);
  return n == 1 && value[0] == 'y';
}

}  // namespace

bool is_whiteout(const struct stat& st) {
  return S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0);
}

void make_whiteout(int dir_fd, const char* name, std::string_view rel) {
  if (::mknodat(dir_fd, name, S_IFCHR | 0000, makedev(0, 0)) != 0) {
    fail_errno("create whiteout", std::string(rel));
  }
}

bool is_opaque(int dir_fd) {
  if (has_yes(dir_fd, kTrustedOpaque) || has_yes(dir_fd, kUserOpaque)) return true;
  struct stat st;
  std::string marker(kOpaqueMarkerFile);
  return ::fstatat(dir_fd, marker.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
}

bool mark_opaque(int dir_fd, bool privileged, std::string_view rel) {
  if (privileged && ::fsetxattr(dir_fd, kTrustedOpaque, "y", 1, 0) == 0) return true;
  if (::fsetxattr(dir_fd, kUserOpaque, "y", 1, 0) == 0) return true;
  if (errno != ENOTSUP && errno != EPERM && errno != EACCES) {
    fail_errno("mark opaque", std::string(rel));
  }
  std::string marker(kOpaqueMarkerFile);
  UniqueFd fd(::openat(dir_fd, marker.c_str(), O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd) fail_errno("mark opaque", std::string(rel));
  return false;
}

}  // namespace schicht::snapshot
