// What a stack of layers' tree holds, from the layers' tar headers alone: every path with the
// stat fields containers/storage compares (type and mode, owner, device, size, mtime, file
// capability), built by replaying each layer's entries, whiteouts and opaque markers as
// apply.h applies them, without writing a file. `image diff` compares two such listings as
// podman's vfs driver compares two trees (archive.ChangesDirs).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/io.h"

namespace schicht::snapshot {

struct FileMeta {
  uint32_t mode = 0;  // S_IFMT type and permission bits, as lstat shows them
  int64_t uid = 0, gid = 0;
  uint64_t rdev = 0;
  uint64_t size = 0;  // a symlink's is its target's length, as lstat shows it
  int64_t mtime_sec = 0, mtime_nsec = 0;
  std::string capability;  // the security.capability xattr
};

class TreeListing {
 public:
  // Applies one layer's uncompressed tar on top; `name` names it in errors.
  void apply(Reader& layer_tar, std::string_view name);

  // Root-relative clean paths ("etc/hosts"), the root itself left out.
  const std::map<std::string, FileMeta>& files() const { return files_; }

 private:
  std::map<std::string, FileMeta> files_;
};

struct TreeChange {
  enum class Kind { kModify, kAdd, kDelete };
  std::string path;  // absolute: "/etc/hosts"
  Kind kind;
};

// What changed from `from` to `to`, as archive.ChangesDirs reports it: a path only `to` has
// is added (and so is everything beneath it); one whose type, mode, owner or device differs,
// or for a non-directory its size, mtime (seconds, and nanoseconds unless either is 0) or
// capability, is changed; a path only `from` has is deleted when its parent is a directory in
// `to`, and what lies beneath it is not listed; a directory both have with any change beneath
// it is changed. Parents come before their
// children, siblings in byte order.
std::vector<TreeChange> tree_changes(const TreeListing& from, const TreeListing& to);

}  // namespace schicht::snapshot
