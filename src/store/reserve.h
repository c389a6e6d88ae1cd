// A reserve of disk space for the day the disk is full.
//
// SQLite cannot open a WAL database on a full file system (its -shm file and the WAL need a
// few pages), so without help not even `images` or `rmi` would run there, and schicht could
// not free space itself. Deletion cannot free blob files first: rows go before the blobs they
// reference (crash safety). So the store keeps `<root>/space-reserve`, a file of
// kReserveBytes with its blocks allocated. A read-write open that finds less than that free
// unlinks it first, giving SQLite room to read and to delete rows; the blobs then go and free
// the rest. The reserve comes back on a later open once the file system has ample room again.
#pragma once

#include <cstdint>

#include "core/fs.h"

namespace schicht::store {

inline constexpr uint64_t kReserveBytes = uint64_t{8} << 20;
// The reserve is recreated only with this much free, so it is never what fills a disk.
inline constexpr uint64_t kReserveRecreateBytes = 4 * kReserveBytes;

// Releases the reserve when the file system holding `root` is (nearly) full; recreates it when
// it is missing and there is room. Best effort: it never fails a command.
void balance_space_reserve(const fs::path& root);

}  // namespace schicht::store
