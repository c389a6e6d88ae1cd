#include "copy/beneath.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

#include <fmt/format.h>

#include "core/beneath.h"
#include "core/error.h"

namespace schicht::copy {

UniqueFd open_beneath(int dir, const std::string& path, const fs::path& shown, int flags,
                      mode_t mode) {
  struct open_how how {};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.mode = (flags & O_CREAT) != 0 ? mode : 0;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  long fd;
  do {
    fd = ::syscall(SYS_openat2, dir, path.c_str(), &how, sizeof how);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0 && errno == EXDEV) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("{}: refusing a path that leaves the directory (it leads out of the layout "
                     "directory)",
                     (shown / path).string()));
  }
  if (fd < 0) fail_errno("open", (shown / path).string());
  return UniqueFd(static_cast<int>(fd));
}

namespace {

// A regular file to read: looked at first without opening it (O_PATH), so a FIFO or device in
// a layout is refused instead of blocking the read or touching the device; then opened
// O_NONBLOCK (in case it was swapped for a FIFO in between, which the inode check catches).
UniqueFd open_regular(int dir, const std::string& path, const fs::path& shown) {
  const std::string file = (shown / path).string();
  struct stat first {};
  {
    UniqueFd look = open_beneath(dir, path, shown, O_PATH);
    if (::fstat(look.get(), &first) != 0) fail_errno("stat", file);
  }
  if (!S_ISREG(first.st_mode)) {
    fail(ErrorKind::kInvalidInput, fmt::format("{}: {} is not allowed here, only regular files",
                                               file, file_type_name(first.st_mode)));
  }
  UniqueFd fd = open_beneath(dir, path, shown, O_RDONLY | O_NONBLOCK);
  struct stat second {};
  if (::fstat(fd.get(), &second) != 0) fail_errno("stat", file);
  if (second.st_dev != first.st_dev || second.st_ino != first.st_ino) {
    fail(ErrorKind::kInvalidInput, fmt::format("{}: changed while being opened", file));
  }
  int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK) != 0) {
    fail_errno("fcntl", file);
  }
  return fd;
}

}  // namespace

std::string read_beneath(int dir, const std::string& path, const fs::path& shown, size_t limit) {
  UniqueFd fd = open_regular(dir, path, shown);
  FdReader reader(fd.get(), (shown / path).string());
  return read_all(reader, limit, (shown / path).string());
}

UniqueFd open_dir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail_errno("open", dir.string());
  return UniqueFd(fd);
}

void copy_beneath(int dir, const std::string& path, const fs::path& shown, uint64_t size,
                  Writer& out) {
  const std::string file = (shown / path).string();
  UniqueFd fd = open_regular(dir, path, shown);
  FdReader reader(fd.get(), file);
  LimitedReader limited(reader, size, file);
  if (copy_stream(limited, out) != size) {
    fail(ErrorKind::kIntegrity, fmt::format("{}: shorter than its descriptor's size", file));
  }
}

void make_beneath(int dir, const std::string& path, const fs::path& shown) {
  size_t start = 0;
  while (true) {
    size_t slash = path.find('/', start);
    std::string parent = start == 0 ? std::string(".") : path.substr(0, start - 1);
    std::string part = path.substr(start, slash == std::string::npos ? slash : slash - start);
    UniqueFd at = open_beneath(dir, parent, shown, O_RDONLY | O_DIRECTORY);
    if (::mkdirat(at.get(), part.c_str(), 0755) != 0 && errno != EEXIST) {
      fail_errno("mkdir", (shown / path.substr(0, slash)).string());
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  open_beneath(dir, path, shown, O_RDONLY | O_DIRECTORY);
}

void write_beneath(int dir, const fs::path& shown_dir, const std::string& subdir,
                   const std::string& file, uint64_t size, Reader& data,
                   const std::optional<Digest>& digest) {
  static std::atomic<uint64_t> counter{0};
  std::string temp = fmt::format("{}/.tmp-{}-{}-{}", subdir, file, ::getpid(), counter++);
  std::string shown = (shown_dir / subdir / file).string();
  UniqueFd fd = open_beneath(dir, temp, shown_dir, O_WRONLY | O_CREAT | O_EXCL, 0644);
  try {
    FdWriter writer(fd.get(), shown);
    HashingWriter hashing(&writer);
    LimitedReader limited(data, size, shown);
    if (copy_stream(limited, hashing) != size) {
      fail(ErrorKind::kIntegrity, fmt::format("{}: source ended early", shown));
    }
    if (digest && hashing.finish() != *digest) {
      fail(ErrorKind::kIntegrity,
           fmt::format("{}: the bytes do not match digest {}", shown, digest->str()));
    }
    fsync_fd(fd.get(), shown);
    std::string target = subdir == "." ? file : subdir + "/" + file;
    if (::renameat(dir, temp.c_str(), dir, target.c_str()) != 0) fail_errno("rename", shown);
  } catch (...) {
    ::unlinkat(dir, temp.c_str(), 0);
    throw;
  }
}

bool CreatedBeneath::absent(int dir, const std::string& path) {
  return ::faccessat(dir, path.c_str(), F_OK, AT_SYMLINK_NOFOLLOW) != 0 && errno == ENOENT;
}

void CreatedBeneath::add(const std::string& path) {
  std::lock_guard lock(mutex_);
  paths_.push_back(path);
}

void CreatedBeneath::undo(int dir) {
  std::lock_guard lock(mutex_);
  for (auto it = paths_.rbegin(); it != paths_.rend(); ++it) {
    struct stat st {};
    if (::fstatat(dir, it->c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    ::unlinkat(dir, it->c_str(), S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0);
  }
  paths_.clear();
}

}  // namespace schicht::copy
