// Directory-descriptor operations confined to one directory tree: the guard that keeps layer
// extraction, snapshot copies and removals from ever touching anything outside their root.
//
// Paths are clean and root-relative ("a/b", "" for the root; see clean_entry_path()). A path is
// opened one component at a time with openat(O_NOFOLLOW | O_DIRECTORY) from the directory before
// it, so no symlink is ever followed and no ".." is ever resolved, whatever a layer planted in
// the tree. Removals work on (directory fd, name) pairs and never descend through a symlink.
// Stateless functions; every descriptor returned is owned by the caller. The threat is hostile
// content, not a concurrent writer: trees are private while they are built or removed (a
// snapshot under construction lives in its own temp directory).
#pragma once

#include <sys/stat.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/fs.h"

namespace schicht::snapshot {

enum class WalkStatus {
  kOk,
  kMissing,       // a component does not exist (and was not to be created)
  kSymlink,       // a component is a symlink: following it could leave the root
  kNotDirectory,  // a component is a file, device, ...
  kLoop,          // (resolve_dir_in_root) too many symlinks on the way
};

struct WalkResult {
  WalkStatus status = WalkStatus::kOk;
  UniqueFd fd;             // an O_PATH descriptor of the directory when status is kOk
  std::string stopped_at;  // the prefix of the path up to the component that failed
};

// Opens directory `rel` beneath `root_fd` without following any symlink. With `create`,
// missing components are made (mode 0755, before the umask).
WalkResult open_dir_beneath(int root_fd, std::string_view rel, bool create);

// Opens directory `rel` beneath `root_fd` the way a process chrooted to the root would see
// it: symlinks on the way are followed, but resolved inside the root (an absolute target
// starts again at the root, ".." never climbs above it), as buildah's copier resolves a
// destination. Each component is still opened with openat(O_NOFOLLOW) from the directory
// before it, and ".." and link targets are resolved here, never by the kernel, so nothing
// outside the root is reached. More than 40 symlinks give kLoop. With `create`, missing
// components (also the missing target of a dangling link) are made 0755 and, when `owner` is
// given, chowned to it. `stopped_at` names the path as followed up to the failing component.
struct DirOwner {
  uid_t uid = 0;
  gid_t gid = 0;
};
WalkResult resolve_dir_in_root(int root_fd, std::string_view rel, bool create,
                               const DirOwner* owner = nullptr);

// lstat() of `name` in `dir_fd`; nullopt when it does not exist.
std::optional<struct stat> stat_at(int dir_fd, const std::string& name);

// Opens `name` in `dir_fd` as a readable directory, never through a symlink; an empty fd when
// it is not a directory or cannot be opened.
UniqueFd open_subdir(int dir_fd, const std::string& name);

// The names in a directory (any descriptor of it, O_PATH too), without "." and "..".
std::vector<std::string> list_dir(int dir_fd);

// Removes `name` from `dir_fd`, a directory with everything beneath it; symlinks are removed,
// never followed. A missing name is not an error. Permissions that would stop an unprivileged
// owner from emptying a directory are widened first (the tree is going away anyway).
void remove_tree_at(int dir_fd, const std::string& name);

// "dir/name", or just "name" at the root.
std::string join_path(std::string_view dir, std::string_view name);

// Splits a clean path into its parent ("" at the root) and its last component.
std::pair<std::string, std::string> split_path(std::string_view path);

}  // namespace schicht::snapshot
