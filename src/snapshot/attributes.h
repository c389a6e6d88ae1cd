// File attributes (owner, mode, times, extended attributes) as layer extraction and snapshot
// copies set them, with one policy for what may be dropped.
//
// Extended-attribute policy: an xattr the filesystem does not support (ENOTSUP) or that our
// privileges do not allow (EPERM, EACCES: trusted.* or security.* without root, user.* on some
// special files) is dropped and counted, because a missing xattr degrades a file while refusing
// the layer would make the image unusable (containers/storage drops ENOTSUP, and EPERM inside
// a user namespace, for the same reason). overlayfs's own
// attributes (trusted.overlay.*, user.overlay.*) are always dropped: a snapshot may become an
// overlay lower directory, where a layer could use them to redirect lookups. Any other failure
// is an error. Xattrs are only set through a descriptor (files and directories); Linux has no
// portable way to set them on a symlink or device without a path, which could be followed.
// Stateless functions.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace schicht::snapshot {

struct NodeAttributes {
  uint32_t mode = 0;  // permission bits with setuid/setgid/sticky (07777)
  uint32_t uid = 0;
  uint32_t gid = 0;
  struct timespec atime = {};
  struct timespec mtime = {};
  std::vector<std::pair<std::string, std::string>> xattrs;  // name -> raw value
};

struct AttributeOptions {
  bool set_owner = false;              // chown needs root; without it files stay ours
  uint64_t* xattrs_dropped = nullptr;  // counts xattrs dropped by the policy above
};

// Sets the attributes of `name` in `dir_fd`. `node_fd` is a descriptor of the node itself
// (a regular file or a directory opened for reading) or -1: then xattrs cannot be set and the
// node is reached by name (never followed when it is a symlink; `is_symlink` skips the mode,
// which Linux does not keep for symlinks). Order matters: chown clears setuid bits and file
// capabilities, so owner first, then mode, then xattrs, then times (every change bumps ctime only).
void set_attributes(int dir_fd, const std::string& name, int node_fd, bool is_symlink,
                    const NodeAttributes& attrs, const AttributeOptions& options);

// Reads the attributes of a node from its stat and, when `node_fd` >= 0, its xattrs.
NodeAttributes read_attributes(const struct stat& st, int node_fd);

}  // namespace schicht::snapshot
