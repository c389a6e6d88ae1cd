// File-system primitives with the durability rules of the store:
// write to a temp file in the same directory, fsync, rename, fsync the directory.
// Nothing half-written is ever visible under its final name.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <string_view>

namespace schicht {

namespace fs = std::filesystem;

// Owns a file descriptor; closes it on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

UniqueFd open_read(const fs::path& path);
std::string read_file(const fs::path& path);

void fsync_fd(int fd, const fs::path& name);
void fsync_dir(const fs::path& dir);

// Whether `path` names an existing device, FIFO or socket (/dev/null, a pipe as /dev/stdout):
// an output a user names there is written to in place, never renamed over.
bool is_special_file(const fs::path& path);

// Writes `data` to `path` atomically and durably with the given mode. A `path` naming a device
// or a FIFO (is_special_file) is written to in place, never replaced.
void write_file_atomic(const fs::path& path, std::string_view data, mode_t mode = 0644);

// A file written under a temp name beside `path` and renamed over it by commit(); destroyed
// uncommitted, it leaves nothing (an existing `path` stays as it was).
class AtomicFile {
 public:
  explicit AtomicFile(const fs::path& path, mode_t mode = 0644);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  int fd() const { return fd_.get(); }
  void commit();

 private:
  fs::path path_;
  std::string temp_;
  mode_t mode_;
  UniqueFd fd_;
  bool done_ = false;
};

// Creates `dir` and its parents with `mode`; succeeds if it exists.
void make_dirs(const fs::path& dir, mode_t mode = 0755);

// An advisory lock (flock) on a lock file, held until destruction.
class FileLock {
 public:
  enum class Mode { kShared, kExclusive };
  FileLock(const fs::path& path, Mode mode);
  FileLock(FileLock&&) = default;
  FileLock& operator=(FileLock&&) = default;

 private:
  UniqueFd fd_;
};

// A temporary directory removed with its contents on destruction.
class TempDir {
 public:
  explicit TempDir(const fs::path& parent, std::string_view prefix = "tmp");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// The directory for temporary files: --tmpdir, $TMPDIR, then /var/tmp as podman does.
fs::path temp_root();
void set_temp_root(const fs::path& dir);

}  // namespace schicht
