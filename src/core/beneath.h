// Reading a directory tree given by a user (an OCI layout, a dir: layout) without leaving it.
//
// Paths are resolved beneath an open directory (openat2 with RESOLVE_BENEATH): '..' and
// symlinks may move around inside it, never out of it, and an absolute symlink is refused.
// Only regular files and directories are opened: a FIFO, socket or device node is refused
// before it is opened for reading, so it can neither block a reader nor have side effects.
#pragma once

#include <sys/stat.h>

#include <string>

#include "core/fs.h"

namespace schicht {

// Opens a directory given by the user (the only path resolved normally).
// What a file of `mode` is, for messages that refuse it: "a FIFO", "a directory", ...
std::string_view file_type_name(mode_t mode);

UniqueFd open_dir(const fs::path& dir);

// Opens `rel` beneath `dir_fd` for reading; it must be a regular file. `shown` names it in
// errors (kInvalidInput for a path leaving the directory or a special file, kNotFound, kIo).
// `st`, when given, receives its stat.
UniqueFd open_regular_beneath(int dir_fd, const fs::path& rel, const std::string& shown,
                              struct stat* st = nullptr);

// Opens the directory `rel` beneath `dir_fd`, under the same rules.
UniqueFd open_dir_beneath(int dir_fd, const fs::path& rel, const std::string& shown);

}  // namespace schicht
