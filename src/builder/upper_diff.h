// The layer of a build step that ran on an overlay (snapshot/overlay_mount.h): the step's
// changes are what overlayfs put in the upper directory, compared with the lower directories
// beneath it, so no full tree is scanned or copied.
//
// Written with tree_diff's writer (layer_tar.h) and by tree_diff's rules, so that a step gives
// the same bytes as tree_diff's write_diff() on a full tree: in sorted path order, a node of
// the upper directory is written when the lowers do not have it or have it with other stamps
// (type and permissions, owner, size of non-directories, mtime; the inode cannot be compared,
// so a node replaced by an identical one is missed, where tree_diff would write it); the
// parent directories of written nodes are written too. A directory overlayfs copied up without
// changing it (for a change beneath it, or a file opened for writing but left as it was) is
// therefore left out unless something beneath it is written. An overlay whiteout (a character
// device 0/0) over a node of the lowers becomes `.wh.NAME` right after its directory's entry;
// a directory overlayfs made anew over a directory of the lowers (opaque: removed and made
// again) is written with a whiteout for each child of the lowers it no longer has, and so are
// the directories beneath it that were directories before (tree_diff sees new inodes there).
// overlayfs's own xattrs on the upper directory's nodes (origin, impure, opaque) are not
// written.
//
// Upper directories with redirected directories or metadata-only copy-ups (redirect_dir=on,
// metacopy=on) cannot be read this way: kUnsupported, before anything is written to `out`
// that the caller keeps (it writes into a blob ingest it discards on failure).
// Stateless; neither tree may change during a call.
#pragma once

#include <vector>

#include "builder/tree_diff.h"
#include "core/fs.h"
#include "core/io.h"

namespace schicht::builder {

// `lowers` bottom first, as snapshot::OverlayDirs holds them.
DiffStats write_upper_diff(const fs::path& upper, const std::vector<fs::path>& lowers, Writer& out,
                           const DiffOptions& options = {});

}  // namespace schicht::builder
