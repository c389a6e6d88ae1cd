// Files of a layout directory (oci:, dir:), opened beneath it: openat2 with RESOLVE_BENEATH, so
// a symlink or ".." never leads out of the directory. Shared by the directory transports.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/digest.h"
#include "core/fs.h"
#include "core/io.h"

namespace schicht::copy {

// `path` (relative) opened beneath `dir`; `shown` is the directory as messages name it.
// kInvalidInput when it would resolve outside; kNotFound when missing.
UniqueFd open_beneath(int dir, const std::string& path, const fs::path& shown, int flags,
                      mode_t mode = 0);
// read_beneath and copy_beneath read regular files only: a FIFO, socket or device is refused
// (kInvalidInput, "a FIFO is not allowed here") without being opened, so it cannot block.
// A small file whole, at most `limit` bytes.
std::string read_beneath(int dir, const std::string& path, const fs::path& shown, size_t limit);
UniqueFd open_dir(const fs::path& dir);
// Copies exactly `size` bytes of the file `path` (relative) to `out`, for a blob's descriptor:
// kIntegrity when the file is shorter.
void copy_beneath(int dir, const std::string& path, const fs::path& shown, uint64_t size,
                  Writer& out);

// Makes the directories of `path` (relative), each inside its parent opened beneath `dir`.
void make_beneath(int dir, const std::string& path, const fs::path& shown);
// Writes `subdir`/`file` from exactly `size` bytes of `data` (verified against `digest` when
// given): a temp file beside it, fsync, rename, so nothing half-written gets the final name.
void write_beneath(int dir, const fs::path& shown, const std::string& subdir,
                   const std::string& file, uint64_t size, Reader& data,
                   const std::optional<Digest>& digest);

// What a destination created beneath its directory, so that a copy abandoned before commit()
// removes it again (ImageDestination's contract). Threads may add at once.
class CreatedBeneath {
 public:
  // Whether `path` (relative) does not exist yet: call before creating it, then add() it.
  static bool absent(int dir, const std::string& path);
  void add(const std::string& path);
  // Removes every file and (empty) directory added, newest first. Best effort, for destructors:
  // what cannot be removed stays (an unreferenced blob is harmless).
  void undo(int dir);

 private:
  std::mutex mutex_;
  std::vector<std::string> paths_;
};

}  // namespace schicht::copy
