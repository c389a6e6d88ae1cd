// Applying one layer tar onto a directory tree that already holds the union of the layers below
// it (image-format.md §9): regular files, directories, symlinks, hardlinks, device nodes and
// fifos with their modes, times, owners and xattrs; whiteouts `.wh.NAME` and opaque directories
// `.wh..wh..opq` remove lower content.
//
// Safety is the point of this module. Extraction never reaches outside `root`: entry paths and
// hardlink targets are cleaned (no absolute paths, no ".."), every directory on the way to an
// entry is opened component by component with O_NOFOLLOW (see safe_tree.h), so an entry, a
// hardlink target or a whiteout that would go through a symlink is refused, and an existing
// file is always unlinked and recreated, never written through (it may be a symlink or a
// hardlink into a lower snapshot). Refused entries fail with kInvalidInput naming the layer and
// the entry (`layer sha256:…: tar entry "../x" escapes the root`). This is stricter than
// resolving symlinks as if the root were "/": a layer may not place anything through a symlink.
//
// With `as_diff`, `root` starts empty and receives this layer alone, as one overlayfs lower
// directory: whiteouts and opaque markers are kept in overlay form (overlay_form.h) instead of
// removing anything, so that layers stacked by overlayfs or by flatten_diffs() (tree_copy.h)
// give the tree that applying them one onto another gives. A directory an entry needs but the
// layer does not list takes the attributes of the lower layers' (`lowers`; 0755 without them);
// a hardlink to a file of a lower layer links to a copy of it made in this one.
//
// A failed apply leaves `root` partly changed: callers apply into a scratch copy (snapshotter.h).
// Stateless and reentrant; `root` must not be changed by anyone else during the call.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/fs.h"
#include "core/io.h"

namespace schicht::snapshot {

// Larger than any real layer; callers that know the uncompressed size pass it instead.
inline constexpr uint64_t kDefaultMaxLayerBytes = uint64_t{256} << 30;

// What to do with a device node that needs privileges we do not have.
enum class UnprivilegedDevices { kSkip, kFail };

struct ApplyOptions {
  // How errors name the layer: "layer sha256:<diff id>".
  std::string name = "layer";
  // Decompression-bomb guard: the most bytes the tar stream and, separately, the file data
  // written may have (sparse entries can expand). Exceeding it fails with kInvalidInput.
  uint64_t max_bytes = kDefaultMaxLayerBytes;
  // Create device nodes and set owners. nullopt: exactly when running as root (euid 0). A root
  // without CAP_MKNOD (a user namespace) is treated as unprivileged for device nodes.
  std::optional<bool> privileged;
  UnprivilegedDevices unprivileged_devices = UnprivilegedDevices::kSkip;
  // Extract as a diff (see above) rather than onto the union of the layers below.
  bool as_diff = false;
  // With as_diff, the diffs of the layers below, bottom first: an entry whose directory this
  // layer does not make is refused when the layers below have a symlink (or a file) there, as
  // applying onto their union refuses it, so that no layer places anything through a symlink.
  std::vector<fs::path> lowers;
  // With as_diff: the lowers are not known yet (a layer unpacked while it is pulled, before
  // the layers below it are). Nothing is looked up below. A directory this layer makes without
  // an entry of its own is listed in ApplyStats::implied_dirs, for apply_implied_dirs() to give
  // it the lowers' attributes (or refuse it) once they are known. A hardlink to a file this
  // layer lacks (a copy of a lower file) is counted in ApplyStats::needs_lowers and skipped: the
  // tree is then not the layer's diff, and the caller discards it. With needs_lowers 0, the tree
  // after apply_implied_dirs() equals what applying with the real lowers gives.
  bool lowers_unknown = false;
};

struct ApplyStats {
  uint64_t files = 0;      // regular files, fifos and device nodes created
  uint64_t dirs = 0;       // directory entries, created or merged into a lower directory
  uint64_t links = 0;      // symlinks and hardlinks
  uint64_t whiteouts = 0;  // whiteout and opaque markers
  uint64_t bytes = 0;      // file data written
  uint64_t skipped = 0;    // entries not materialized: devices without privilege, AUFS metadata
  uint64_t xattrs_dropped = 0;  // see the policy in attributes.h
  uint64_t needs_lowers = 0;    // with lowers_unknown: hardlinks that need a lower file
  // With lowers_unknown: directories made without an entry of their own, root-relative.
  std::vector<std::string> implied_dirs;
};

// Reads `uncompressed_tar` up to the tar's end blocks and applies it onto `root`, an existing
// directory. Fifos need no privilege and are always created. Directory modes and times are set
// after the last entry, so that creating children neither changes them nor is refused by them.
ApplyStats apply_layer(Reader& uncompressed_tar, const fs::path& root, const ApplyOptions& options);

// After apply_layer with lowers_unknown: gives each of `implied_dirs` (ApplyStats) that is
// still a directory in `root` what applying with `lowers` (bottom first) would have given it,
// the attributes of the topmost lower directory at that path. Returns false when a lower has a
// symlink or a file there instead, which applying with the lowers refuses: the tree must then
// be discarded. `options` as given to apply_layer.
bool apply_implied_dirs(const fs::path& root, const std::vector<std::string>& implied_dirs,
                        const std::vector<fs::path>& lowers, const ApplyOptions& options);

}  // namespace schicht::snapshot
