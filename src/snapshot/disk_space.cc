#include "snapshot/disk_space.h"

#include <sys/statvfs.h>

#include <algorithm>

#include <fmt/format.h>

#include "core/error.h"
#include "core/fs.h"

namespace schicht::snapshot {
namespace {

constexpr uint64_t kMiB = uint64_t{1} << 20;
constexpr uint64_t kGiB = uint64_t{1} << 30;
constexpr uint64_t kMinReserve = 4 * kMiB;
constexpr uint64_t kMaxReserve = kGiB;
// Between two looks at the file system at most this much is written.
constexpr uint64_t kCheckEvery = 8 * kMiB;

// Where `dir_fd` lies, for messages: the directory holding it.
std::string location(int dir_fd) {
  std::error_code ec;
  fs::path path = fs::read_symlink(fmt::format("/proc/self/fd/{}", dir_fd), ec);
  if (ec || path.empty()) return "the destination's file system";
  return (path.has_parent_path() ? path.parent_path() : path).string();
}

}  // namespace

std::string format_size(uint64_t bytes) {
  if (bytes >= kGiB) return fmt::format("{:.1f} GiB", static_cast<double>(bytes) / kGiB);
  if (bytes >= kMiB) return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / kMiB);
  if (bytes >= 1024) return fmt::format("{:.1f} KiB", static_cast<double>(bytes) / 1024);
  return fmt::format("{} bytes", bytes);
}

SpaceGuard::SpaceGuard(int dir_fd, std::string what) : dir_fd_(dir_fd), what_(std::move(what)) {
  refresh();
}

void SpaceGuard::refresh() {
  struct statvfs st {};
  if (::fstatvfs(dir_fd_, &st) != 0) fail_errno("statvfs", location(dir_fd_));
  uint64_t block = st.f_frsize != 0 ? st.f_frsize : st.f_bsize;
  free_ = static_cast<uint64_t>(st.f_bavail) * block;
  uint64_t total = static_cast<uint64_t>(st.f_blocks) * block;
  reserve_ = std::clamp(total / 100, kMinReserve, kMaxReserve);
  since_ = 0;
}

void SpaceGuard::require(uint64_t bytes, std::string_view for_what) {
  refresh();
  if (free_ < reserve_ || free_ - reserve_ < bytes) fail_full(bytes, for_what);
}

void SpaceGuard::will_write(uint64_t bytes) {
  written_ += bytes;
  since_ += bytes;
  bool fits = free_ >= reserve_ && free_ - reserve_ >= since_;
  if (fits && since_ < kCheckEvery) return;
  refresh();
  if (free_ < reserve_ || free_ - reserve_ < bytes) fail_full(bytes, "");
  since_ = bytes;
}

void SpaceGuard::fail_full(uint64_t needed, std::string_view for_what) const {
  std::string where = location(dir_fd_);
  // Callers that name the work in their own context give no `what`.
  std::string prefix = what_.empty() ? "" : what_ + ": ";
  std::string free_text =
      fmt::format("{} are free and {} stay in reserve", format_size(free_), format_size(reserve_));
  if (!for_what.empty()) {
    fail(ErrorKind::kIo, fmt::format("{}not enough free space in {}: {} needs {}, but {}", prefix,
                                     where, for_what, format_size(needed), free_text));
  }
  fail(ErrorKind::kIo, fmt::format("{}not enough free space in {}: stopped after writing {}, {}",
                                   prefix, where, format_size(written_ - needed), free_text));
}

}  // namespace schicht::snapshot
