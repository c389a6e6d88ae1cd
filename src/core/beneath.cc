#include "core/beneath.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include <fmt/format.h>

#include "core/error.h"

namespace schicht {
namespace {

// Kernels before 5.6 have no openat2: walk the components with O_NOFOLLOW, refusing every
// symlink and '..' (stricter than RESOLVE_BENEATH, never looser).
int open_without_symlinks(int dir_fd, const fs::path& rel, int flags) {
  UniqueFd current;
  int at = dir_fd;
  std::vector<fs::path> parts(rel.begin(), rel.end());
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i] == "..") {
      errno = EXDEV;
      return -1;
    }
    bool last = i + 1 == parts.size();
    int fd = ::openat(at, parts[i].c_str(),
                      (last ? flags : O_PATH | O_DIRECTORY) | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return -1;
    if (last) return fd;
    current.reset(fd);
    at = fd;
  }
  return ::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
}

int open_raw(int dir_fd, const fs::path& rel, int flags) {
  open_how how{};
  // openat2 refuses O_PATH with any flag but O_CLOEXEC, O_DIRECTORY and O_NOFOLLOW.
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC | ((flags & O_PATH) != 0 ? 0 : O_NOCTTY));
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  long fd = ::syscall(SYS_openat2, dir_fd, rel.c_str(), &how, sizeof how);
  if (fd < 0 && errno == ENOSYS) return open_without_symlinks(dir_fd, rel, flags);
  return static_cast<int>(fd);
}

UniqueFd open_checked(int dir_fd, const fs::path& rel, int flags, const std::string& shown) {
  int fd = open_raw(dir_fd, rel, flags);
  if (fd >= 0) return UniqueFd(fd);
  if (errno == EXDEV || errno == ELOOP) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("{}: refusing a path that leaves the directory (through a symbolic link "
                     "or \"..\")",
                     shown));
  }
  if (errno == ENOENT) fail(ErrorKind::kNotFound, fmt::format("{}: no such file", shown));
  fail_errno("open", shown);
}

}  // namespace

std::string_view file_type_name(mode_t mode) {
  switch (mode & S_IFMT) {
    case S_IFIFO:
      return "a FIFO";
    case S_IFSOCK:
      return "a socket";
    case S_IFCHR:
      return "a character device";
    case S_IFBLK:
      return "a block device";
    case S_IFDIR:
      return "a directory";
    case S_IFLNK:
      return "a symbolic link";
    default:
      return "not a regular file";
  }
}

UniqueFd open_dir(const fs::path& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT) {
      fail(ErrorKind::kNotFound, fmt::format("{}: no such file or directory", dir.string()));
    }
    fail_errno("open directory", dir.string());
  }
  return fd;
}

UniqueFd open_regular_beneath(int dir_fd, const fs::path& rel, const std::string& shown,
                              struct stat* st) {
  // An O_PATH open reads nothing: a FIFO or device is looked at, not opened.
  UniqueFd path = open_checked(dir_fd, rel, O_PATH, shown);
  struct stat first {};
  if (::fstat(path.get(), &first) != 0) fail_errno("stat", shown);
  if (!S_ISREG(first.st_mode)) {
    fail(ErrorKind::kInvalidInput, fmt::format("{}: {} is not allowed here, only regular files",
                                               shown, file_type_name(first.st_mode)));
  }
  // Opened again for reading; O_NONBLOCK in case it was swapped for a FIFO in between, which
  // the second fstat then catches.
  UniqueFd fd = open_checked(dir_fd, rel, O_RDONLY | O_NONBLOCK, shown);
  struct stat second {};
  if (::fstat(fd.get(), &second) != 0) fail_errno("stat", shown);
  if (second.st_dev != first.st_dev || second.st_ino != first.st_ino) {
    fail(ErrorKind::kInvalidInput, fmt::format("{}: changed while being opened", shown));
  }
  int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK) != 0) {
    fail_errno("fcntl", shown);
  }
  if (st != nullptr) *st = second;
  return fd;
}

UniqueFd open_dir_beneath(int dir_fd, const fs::path& rel, const std::string& shown) {
  return open_checked(dir_fd, rel, O_RDONLY | O_DIRECTORY, shown);
}

}  // namespace schicht
