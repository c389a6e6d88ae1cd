// Mounting a chain of diff snapshots with the kernel's overlayfs: the root filesystem of a
// container (lower directories, a private upper and work directory) or of an image (lower
// directories alone, read-only). Needs CAP_SYS_ADMIN (root, or root of a user namespace with a
// mount namespace of its own where the kernel allows it).
//
// mount(2) takes the options in one page: with absolute paths, a chain of a few dozen layers
// fits (about 40 in a store under /var/lib). A longer one is mounted through the mount API that
// takes one lower directory at a time (Linux 6.8 and later; overlayfs takes 500 lowers at
// most); where that fails too, kUnsupported says so before anything is mounted, so that the
// caller can fall back to a copy (flatten_diffs).
//
// With a mount program (fuse-overlayfs, as containers/storage's overlay.mount_program) the
// program mounts the same overlay in user space: it takes the same lowerdir/upperdir/workdir
// options on its command line (no page limit), needs no CAP_SYS_ADMIN, only /dev/fuse, and
// reads the same whiteouts and opaque xattrs (overlay_form.h; also the marker file). Stateless.
#pragma once

#include <string>
#include <vector>

#include "core/fs.h"

namespace schicht::snapshot {

struct OverlayDirs {
  std::vector<fs::path> lowers;  // bottom first, as Snapshotter::prepare returns them
  fs::path upper;                // empty: a read-only mount of the lowers alone, which the
                                 // kernel only takes with two lowers at least
  fs::path work;                 // beside `upper`, on the same file system
  // In a user namespace: opaque directories carry user.overlay.opaque (overlay_form.h).
  bool user_xattr = false;
  // Empty: the kernel's overlayfs; else the program that mounts it (fuse-overlayfs).
  fs::path mount_program;
  // The kernel's overlayfs with redirect_dir=off,metacopy=off: every change in the upper
  // directory is a plain node (no redirected directory, no metadata-only copy-up), so that the
  // upper directory can be read as a layer (builder/upper_diff.h).
  bool plain_upper = false;
};

// Mounts the overlay on `target`, an existing directory.
void mount_overlay(const OverlayDirs& dirs, const fs::path& target);

// Whether overlayfs can be mounted here, tried once with two lowers, an upper and a work
// directory in a temp directory beneath `scratch_parent` (which must be on the file system the
// overlays will use); `why` says what failed.
// With `mount_program`, whether that program can mount one.
bool overlay_works(const fs::path& scratch_parent, std::string* why,
                   const fs::path& mount_program = {});

// Detaches the mount on `target`, if any; a directory that is no mount point is left alone.
// A FUSE mount the caller may not detach (rootless) is unmounted with `fusermount3 -u -z`.
void unmount_if_mounted(const fs::path& target);

}  // namespace schicht::snapshot
