// Files of a layout directory (oci:, dir:), opened beneath it: openat2 with RESOLVE_BENEATH, so
// a symlink or ".." never leads out of the directory. Shared by the directory transports.
#pragma once

#include <optional>
#include <string>

#include "core/digest.h"
#include "core/fs.h"
#include "core/io.h"

namespace schicht::copy {

// `path` (relative) opened beneath `dir`; `shown` is the directory as messages name it.
// kInvalidInput when it would resolve outside; kNotFound when missing.
UniqueFd open_beneath(int dir, const std::string& path, const fs::path& shown, int flags,
                      mode_t mode = 0);
// A small file whole, at most `limit` bytes.
std::string read_beneath(int dir, const std::string& path, const fs::path& shown, size_t limit);
UniqueFd open_dir(const fs::path& dir);
// Makes the directories of `path` (relative), each inside its parent opened beneath `dir`.
void make_beneath(int dir, const std::string& path, const fs::path& shown);
// Writes `subdir`/`file` from exactly `size` bytes of `data` (verified against `digest` when
// given): a temp file beside it, fsync, rename, so nothing half-written gets the final name.
void write_beneath(int dir, const fs::path& shown, const std::string& subdir,
                   const std::string& file, uint64_t size, Reader& data,
                   const std::optional<Digest>& digest);

}  // namespace schicht::copy
