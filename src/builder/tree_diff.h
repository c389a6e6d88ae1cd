// The layer a build step made: the difference between a root filesystem before and after the
// step, as an OCI layer tar (image-format.md §9).
//
// scan_tree() records every node's identity and change stamps (inode, mtime, mode, owner,
// size); write_diff() walks the tree again and writes, in sorted path order, every node
// that is new or whose stamps changed, the parent directories of those (as buildah writes
// them), and a whiteout `.wh.NAME` for every node that is gone (only the topmost of a removed
// subtree). Changes are found as containers/storage finds them (inode, mode, owner, size,
// mtime), so a change that keeps all of those (touch -r after writing) is missed, as there.
// Hardlinks among the written files stay hardlinks. Symlinks are never followed. Stateless
// functions; the tree must not change during a call.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "core/fs.h"
#include "core/io.h"

namespace schicht::builder {

struct NodeStamp {
  ino_t ino = 0;
  mode_t mode = 0;  // type and permission bits
  uid_t uid = 0;
  gid_t gid = 0;
  off_t size = 0;
  struct timespec mtime = {};
  struct timespec ctime = {};
};

// Root-relative clean paths ("etc/hosts"), the root itself left out.
using TreeState = std::map<std::string, NodeStamp>;

TreeState scan_tree(const fs::path& root);

struct DiffOptions {
  // Every entry's mtime set to this (unix seconds): --timestamp / SOURCE_DATE_EPOCH.
  std::optional<int64_t> mtime;
  // Owners as stat() shows them, not translated through the rootless mapping (id_map.h):
  // for a diff written inside the build's user namespace.
  bool owners_as_seen = false;
};

struct DiffStats {
  uint64_t entries = 0;
  uint64_t whiteouts = 0;
};

// Writes the uncompressed layer tar of the changes since `before` into `out`.
DiffStats write_diff(const fs::path& root, const TreeState& before, Writer& out,
                     const DiffOptions& options = {});

}  // namespace schicht::builder
