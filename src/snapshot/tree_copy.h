// Copying and measuring snapshot trees through directory descriptors (see safe_tree.h).
//
// A copy is independent of its source: no hardlink crosses between the two, so applying a layer
// to the copy can never change the snapshot it came from. Hardlinks inside the source stay
// hardlinks inside the copy. File data is reflinked where the filesystem can (btrfs, XFS) and
// copied in the kernel otherwise. Stateless functions; both trees must be private to the caller.
#pragma once

#include <cstdint>
#include <vector>

#include "core/fs.h"

namespace schicht::snapshot {

// Copies everything beneath the directory `from_fd` into the empty directory `to_fd` (opened for
// reading, not O_PATH) with modes, times, xattrs (as attributes.h allows) and, when `set_owner`,
// owners; then the attributes of the top directory itself. Symlinks are copied, never followed.
void copy_tree(int from_fd, int to_fd, bool set_owner);

// Materializes a stack of diff snapshots (apply.h `as_diff`, bottom first) into the directory
// `to_fd` (opened for reading), as overlayfs would show them: each diff is copied onto the
// result of those below; a whiteout removes what lies below it, an opaque directory replaces
// the directory below instead of merging into it, a directory merges into one below, anything
// else replaces what was there. The markers themselves are never copied. Hardlinks within one
// diff stay hardlinks; the top directory takes the attributes of the top diff's.
void flatten_diffs(const std::vector<fs::path>& diffs, int to_fd, bool set_owner);

// The bytes a tree occupies on disk (st_blocks * 512), the top directory included and every
// inode counted once however many links it has.
uint64_t disk_usage(int dir_fd);

}  // namespace schicht::snapshot
