// The root filesystem of a stage's layer steps (RUN, COPY, ADD) as an overlay, as
// `--storage-driver overlay` makes containers' (issue #22): the stage's layer snapshots (held,
// snapshot/snapshotter.h) and the upper directories of its earlier steps are the lower
// directories, each step gets a fresh upper directory, and the kernel's overlayfs is mounted
// with redirect_dir=off,metacopy=off, so that the step's layer is read from its upper
// directory against the lowers (upper_diff.h) instead of from two scans of a full copy. A
// step's upper directory is a lower of the next, so the next step sees the tree exactly as the
// step left it (also a change its layer cannot show, as a flattened tree would).
//
// One difference stays: a file with hard links in the lowers that a step changes in place is
// copied up alone (overlayfs without `index`), so its other names keep the old file, in the
// step's layer and after, where a flattened tree changes them all (podman's overlay builds
// behave the same).
//
// Root only, with the kernel's overlayfs (BuildOptions::overlay); a chain too long to mount is
// kUnsupported, before anything is mounted, and the caller flattens instead. The mount lives
// in `dir`/merged only while a step runs; one a killed build left is detached by `system check
// --repair` (work_dir.h). Not thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "builder/tree_diff.h"
#include "core/fs.h"
#include "core/io.h"
#include "snapshot/snapshotter.h"
#include "store/store.h"

namespace schicht::builder {

class OverlayRoot {
 public:
  // `dir`: a new directory of the build's work directory for the overlay's directories.
  OverlayRoot(store::Store& store, fs::path dir);
  // Unmounts and removes `dir` (a failure is only logged: the work directory goes anyway).
  ~OverlayRoot();
  OverlayRoot(const OverlayRoot&) = delete;
  OverlayRoot& operator=(const OverlayRoot&) = delete;

  // Mounts a fresh upper directory over the state the last step left or, after invalidate()
  // and at first, over the snapshots of `layers`; returns the merged directory.
  const fs::path& mount(const std::vector<store::LayerInfo>& layers);
  // Unmounts and writes the step's layer; the step's upper directory joins the lowers.
  DiffStats write_layer(Writer& out, const DiffOptions& options);
  // The stage went on without a step here (a cache hit): the next mount starts from layers.
  void invalidate();

 private:
  void unmount();

  store::Store& store_;
  fs::path dir_;
  fs::path merged_;
  std::optional<snapshot::HeldSnapshot> held_;
  std::vector<fs::path> lowers_;  // bottom first; empty: invalid
  size_t steps_ = 0;              // upper directories made, for their names
  bool mounted_ = false;
};

}  // namespace schicht::builder
