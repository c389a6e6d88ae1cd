// The snapshot cache: snapshots/<chainID hex>/ is the union of an image's layers up to that
// layer, extracted. It is derived from blobs and can always be rebuilt (DESIGN.md).
//
// prepare() builds every missing prefix of a chain, bottom up: the parent snapshot is copied
// (tree_copy.h: no hardlink into the parent, reflinks where cheap) into a temp directory
// snapshots/.tmp-XXXXXX, the layer is applied onto the copy (apply.h) while its diffID is
// verified, the filesystem is synced, and one rename() puts the result in place. A snapshot is
// therefore complete or absent; a crash leaves only a .tmp-* directory, which stale() reports
// and remove_stale() deletes. remove() renames a snapshot to a .tmp-* name before deleting it,
// for the same reason.
//
// Concurrency, between processes and between threads alike (every lock is its own open file):
// - building or removing snapshot C holds an exclusive flock on snapshots/.lock-<hex of C>; so
//   two processes never build C at once: the second waits, then finds C built;
// - copying from parent P holds a shared flock on P's lock file, so P is not removed mid-copy;
// - lock order: a snapshot's lock before its parent's, never the reverse, so concurrent builds
//   cannot deadlock; remove() takes a single lock;
// - every .tmp-* directory is flock()ed by its owner, so stale() reports only those whose owner
//   died (a killed process drops its flocks); it is named .tmp-<hex of C>-XXXXXX and made while
//   C's lock is held, so stale() also leaves alone those whose snapshot lock is held (between
//   mkdtemp and flock, a live directory is not yet locked itself);
// - a HeldSnapshot (prepare_held) holds a shared flock on the top snapshot's lock file, so a
//   container copying it never sees it removed mid-copy.
// Lock files stay behind (they are empty): deleting one that another process is waiting on
// would let a third process lock a fresh file and build alongside it.
//
// A Snapshotter holds no mutable state and is thread-safe. It does not know which snapshots are
// in use by containers; the store decides what may be removed. Chain IDs are sha256 digests.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "core/digest.h"
#include "core/fs.h"
#include "core/io.h"
#include "snapshot/apply.h"

namespace schicht::snapshot {

struct LayerSource {
  Digest diff_id;
  // Opens the layer's uncompressed tar; called only when the layer must be applied.
  std::function<std::unique_ptr<Reader>()> open_uncompressed;
  // The size of that tar when known (0: unknown): applying the layer needs about that much free
  // space (less for sparse files), which is checked before it starts.
  uint64_t uncompressed_size = 0;
};

// A prepared snapshot that remove() waits for while this lives.
class HeldSnapshot {
 public:
  HeldSnapshot(fs::path path, FileLock lock) : path_(std::move(path)), lock_(std::move(lock)) {}
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
  FileLock lock_;
};

class Snapshotter {
 public:
  // Creates `snapshots_dir` when missing. `options` apply to every layer (its name is set per
  // layer to "layer <diff id>").
  explicit Snapshotter(fs::path snapshots_dir, ApplyOptions options = {});

  // Makes sure the snapshot of every prefix of `layers` (bottom layer first) exists and returns
  // the path of the top one. A layer whose content does not match its diff ID fails with
  // kIntegrity; a refused layer with kInvalidInput; a layer that does not fit in the free space
  // with kIo (disk_space.h), before or while it is written; nothing of a failed build stays
  // behind.
  fs::path prepare(const std::vector<LayerSource>& layers);
  // prepare(), then holds the top snapshot: for reading it while others may remove snapshots.
  HeldSnapshot prepare_held(const std::vector<LayerSource>& layers);

  fs::path path_of(const Digest& chain_id) const;
  bool exists(const Digest& chain_id) const;

  // Deletes a snapshot and returns the bytes it occupied (st_blocks * 512); 0 when it is absent.
  uint64_t remove(const Digest& chain_id);

  // The chain IDs of all complete snapshots, sorted.
  std::vector<Digest> list() const;

  // Temp directories left by builds or removals whose process died.
  std::vector<fs::path> stale() const;
  // Deletes what stale() reports; returns how many directories it deleted.
  size_t remove_stale();

 private:
  bool build(const Digest& chain_id, const Digest* parent, const LayerSource& layer);
  void apply_verified(const LayerSource& layer, const fs::path& root) const;
  fs::path lock_path(const Digest& chain_id) const;
  bool owner_active(const std::string& temp_name) const;

  fs::path dir_;
  ApplyOptions options_;
};

}  // namespace schicht::snapshot
