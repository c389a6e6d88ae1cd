// The snapshot cache: snapshots/<chainID hex>/ holds the top layer of that chain prefix alone,
// extracted as a diff (apply.h `as_diff`): whiteouts and opaque directories in the form
// overlayfs reads (overlay_form.h). A chain's snapshots, bottom first, are the lower
// directories of an overlay mount, or are flattened into one tree (tree_copy.h flatten_diffs)
// where a full tree is needed. Disk use is linear in the layers' size. Snapshots are derived
// from blobs and can always be rebuilt (DESIGN.md).
//
// Older versions kept in each snapshot the whole tree up to that layer. A snapshots directory
// without the format marker `.format` holds such snapshots: they are a cache like any other,
// so the first prepare() deletes them (under the lock `.lock-format`, once) and writes the
// marker; until then list() reports them and remove() removes them as usual.
//
// prepare() builds every missing snapshot of a chain: the layer is applied into a temp
// directory snapshots/.tmp-XXXXXX while its diffID is verified, the filesystem is synced, and
// one rename() puts the result in place. A snapshot is therefore complete or absent; a crash
// leaves only a .tmp-* directory, which stale() reports and remove_stale() deletes. remove()
// renames a snapshot to a .tmp-* name before deleting it, for the same reason.
//
// Concurrency, between processes and between threads alike (every lock is its own open file):
// - building or removing snapshot C holds an exclusive flock on snapshots/.lock-<hex of C>; so
//   two processes never build C at once: the second waits, then finds C built; a build or a
//   removal holds no other snapshot's lock, so no lock order can deadlock;
// - every .tmp-* directory is flock()ed by its owner, so stale() reports only those whose owner
//   died (a killed process drops its flocks); it is named .tmp-<hex of C>-XXXXXX and made while
//   C's lock is held, so stale() also leaves alone those whose snapshot lock is held (between
//   mkdtemp and flock, a live directory is not yet locked itself);
// - a HeldSnapshot (prepare_held) holds a shared flock on the lock file of every snapshot of
//   its chain, so a container flattening them never sees one removed mid-copy.
// Lock files stay behind (they are empty): deleting one that another process is waiting on
// would let a third process lock a fresh file and build alongside it.
//
// A Snapshotter holds no mutable state and is thread-safe. It does not know which snapshots are
// in use by images or containers (an overlay's lower directories); the store decides what may
// be removed. Chain IDs are sha256 digests.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
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

// The prepared snapshots of a chain, bottom first, that remove() waits for while this lives.
class HeldSnapshot {
 public:
  HeldSnapshot(std::vector<fs::path> paths, std::vector<FileLock> locks)
      : paths_(std::move(paths)), locks_(std::move(locks)) {}
  const std::vector<fs::path>& paths() const { return paths_; }

 private:
  std::vector<fs::path> paths_;
  std::vector<FileLock> locks_;
};

// A layer unpacked before its chain ID is known (unpack while pulling, Snapshotter::unpack):
// a diff in a temp directory of the snapshots dir, flock()ed while this lives and deleted when
// it is destroyed unplaced; a crash leaves it to stale().
class UnpackedLayer {
 public:
  UnpackedLayer();
  ~UnpackedLayer();
  UnpackedLayer(const UnpackedLayer&) = delete;
  UnpackedLayer& operator=(const UnpackedLayer&) = delete;

  // Whether the tar was applied to its end blocks without an error (so its structure was
  // checked as TarReader checks it).
  bool complete() const;
  // Whether the tree is the layer's whole diff: complete, depending on no lower.
  bool usable() const;
  const ApplyStats& stats() const;
  // The diff ID the stream that was unpacked turned out to have (its owner hashed it in the
  // same pass); place() compares it with the one expected.
  void set_diff_id(const Digest& diff_id);

 private:
  friend class Snapshotter;
  struct State;
  std::unique_ptr<State> state_;
};

class Snapshotter {
 public:
  // Creates `snapshots_dir` when missing. `options` apply to every layer (its name is set per
  // layer to "layer <diff id>").
  explicit Snapshotter(fs::path snapshots_dir, ApplyOptions options = {});

  // Makes sure the snapshot of every prefix of `layers` (bottom layer first) exists and returns
  // their paths, bottom first. A layer whose content does not match its diff ID fails with
  // kIntegrity; a refused layer with kInvalidInput; a layer that does not fit in the free space
  // with kIo (disk_space.h), before or while it is written; nothing of a failed build stays
  // behind.
  std::vector<fs::path> prepare(const std::vector<LayerSource>& layers);
  // prepare(), then holds the snapshots: for reading them while others may remove snapshots.
  HeldSnapshot prepare_held(const std::vector<LayerSource>& layers);

  fs::path path_of(const Digest& chain_id) const;
  bool exists(const Digest& chain_id) const;

  // Deletes a snapshot (and its size record) and returns the bytes they occupied (st_blocks *
  // 512); 0 when it is absent.
  uint64_t remove(const Digest& chain_id);

  // The bytes a snapshot occupies (st_blocks * 512, each inode once), with those of its
  // record: recorded when it was built, in .size-<hex> beside it (snapshots never change), else
  // measured; 0 when absent. remove() frees as much.
  uint64_t bytes(const Digest& chain_id) const;

  // Whether the directory holds snapshots of an older version (full trees, no `.format`).
  bool old_format() const;
  // Deletes them (prepare() does this first when needed).
  void migrate();

  // Applies `uncompressed_tar` as a diff (with the options of prepare()) whose lowers are not
  // known yet (ApplyOptions::lowers_unknown), into a temp directory; `name` names the layer in
  // messages. Never throws for the layer: when applying fails (a refused entry, no space, a
  // broken stream) the result is not usable, and the stream may have been read part way only.
  std::unique_ptr<UnpackedLayer> unpack(Reader& uncompressed_tar, std::string_view name);
  // Renames `layer` into place as the snapshot of `chain_id`, whose top layer's diff ID is
  // `diff_id` and whose lower snapshots are `lowers` (bottom first, as prepare() returns them),
  // as build() would, after giving the directories the layer implies the lowers' attributes
  // (apply_implied_dirs). Returns false and places nothing (the layer is discarded) when the
  // layer is not usable, its diff ID is not `diff_id` (or unknown), it implies directories and
  // a lower snapshot is missing, a lower makes it refused, or the snapshot exists already.
  bool place(const Digest& chain_id, const Digest& diff_id, UnpackedLayer& layer,
             const std::vector<fs::path>& lowers);
  // Deletes unpacked layers whose process died (a killed pull); returns how many.
  size_t remove_stale_unpacked();

  // The chain IDs of all complete snapshots, sorted.
  std::vector<Digest> list() const;

  // Temp directories left by builds or removals whose process died.
  std::vector<fs::path> stale() const;
  // Deletes what stale() reports; returns how many directories it deleted.
  size_t remove_stale();

 private:
  // `lowers`: the snapshots below, bottom first (ApplyOptions::lowers).
  void build(const Digest& chain_id, const LayerSource& layer, const std::vector<fs::path>& lowers);
  fs::path size_path(const Digest& chain_id) const;
  void apply_verified(const LayerSource& layer, const fs::path& root,
                      const std::vector<fs::path>& lowers) const;
  fs::path lock_path(const Digest& chain_id) const;
  bool owner_active(const std::string& temp_name) const;

  fs::path dir_;
  ApplyOptions options_;
};

}  // namespace schicht::snapshot
