// The tar a build step's layer is written as, one node at a time: shared by the two ways a
// step's changes are found (tree_diff.h: two states of a full tree; upper_diff.h: an overlay's
// upper directory), so that both write the same bytes for the same changes. Entries carry the
// node's mode, owner (rootless: as the build's user namespace sees it, id_map.h), mtime (or
// DiffOptions::mtime), xattrs, data, symlink target and
// device numbers; a regular file whose inode was written before becomes a hardlink to it.
// Sockets are left out. Not thread-safe.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <map>
#include <string>

#include "archive/tar_writer.h"
#include "builder/id_map.h"
#include "builder/tree_diff.h"
#include "core/io.h"

namespace schicht::builder {

class LayerTar {
 public:
  // `overlay_upper`: the nodes are read from an overlay's upper directory, whose
  // trusted.overlay.* / user.overlay.* xattrs (origin, impure, opaque) are overlayfs's
  // bookkeeping, not the step's: they are left out.
  LayerTar(Writer& out, const DiffOptions& options, bool overlay_upper = false);

  // Writes the node `name` of the directory `dir_fd`, `path` beneath the root, as `st` shows
  // it. Returns whether an entry was written.
  bool node(int dir_fd, const std::string& path, const std::string& name, const struct stat& st);

  // Writes the whiteout `.wh.NAME` in `dir` ("" for the root), whose mtime is `dir_mtime`.
  void whiteout(const std::string& dir, const std::string& name, int64_t dir_mtime);

  void finish();
  const DiffStats& stats() const { return stats_; }

 private:
  TarWriter tar_;
  DiffOptions options_;
  const IdMapping* ids_;
  bool overlay_upper_;
  std::map<ino_t, std::string> written_inodes_;  // for hardlinks among the written files
  DiffStats stats_;
};

}  // namespace schicht::builder
