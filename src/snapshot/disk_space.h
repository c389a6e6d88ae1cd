// Free space on the file system snapshots are written to, checked before and while writing, so
// a layer that expands beyond it (a decompression bomb, a huge image) stops with an error that
// names what it needs and what is free instead of filling the disk.
//
// A reserve stays free for everything else (the database, other programs): 1% of the file
// system, at least 4 MiB and at most 1 GiB. The free space is what an unprivileged user may
// use (statvfs f_bavail), for root as for anyone else.
#pragma once

#include <cstdint>
#include <string>

namespace schicht::snapshot {

// "8.0 GiB", "60.2 MiB", "512 bytes": sizes in messages.
std::string format_size(uint64_t bytes);

class SpaceGuard {
 public:
  // `dir_fd`: a directory on the file system written to (borrowed, must outlive the guard).
  // Errors read "<what>: not enough free space in <dir>: ..." (no "<what>: " when it is empty),
  // <dir> being the directory that holds `dir_fd` (scratch directories are made beside their
  // destination).
  SpaceGuard(int dir_fd, std::string what);

  // Fails with kIo unless `bytes` more can be written with the reserve left free.
  void require(uint64_t bytes, std::string_view for_what);

  // Call before writing `bytes`: counts them, looks at the file system again when they add up
  // to a check interval or could reach the reserve, and fails (kIo) when they do not fit.
  void will_write(uint64_t bytes);

  // What a new file, directory or link costs at least (one block), for will_write.
  static constexpr uint64_t kNodeCost = 4096;

 private:
  void refresh();
  [[noreturn]] void fail_full(uint64_t needed, std::string_view for_what) const;

  int dir_fd_;
  std::string what_;
  uint64_t free_ = 0;     // free bytes at the last look
  uint64_t reserve_ = 0;  // bytes to leave free
  uint64_t since_ = 0;    // bytes counted since the last look
  uint64_t written_ = 0;  // bytes counted in all
};

}  // namespace schicht::snapshot
