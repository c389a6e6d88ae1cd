// image prune and the image part of system prune: which images go (dangling, or with --all
// every unused one; --filter, --keep-last, --max-size), least recently used first, and the
// space that frees; --dry-run computes it and removes nothing.
//
// Snapshots belong to another module, so the caller brings what pruning does to them
// (`PruneEffects`); it also hears of each removal as it happens, to record its events.
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "core/digest.h"
#include "store/store.h"

namespace schicht::images {

struct PruneOptions {
  bool all = false;  // every image no container uses, not only dangling ones
  bool dry_run = false;
  std::vector<std::string> filters;  // until=, label=, label!= (kInvalidInput for others)
  int64_t keep_last = -1;  // with all: keep the N most recently used images of each repository
  int64_t max_size = -1;   // remove least recently used images until the store is this small
  bool ignore_containers = false;  // a dry run of system prune: containers would go first
};

struct PruneEffects {
  // The bytes on disk removing the snapshots no image but those in `removed` (IDs
  // "sha256:…") needs would free (for a dry run).
  std::function<uint64_t(const std::set<std::string>& removed)> unused_snapshot_bytes;
  // Removes the snapshots no remaining image or container needs; returns the bytes freed.
  std::function<uint64_t()> remove_unused_snapshots;
  // Called after each image went (not for a dry run).
  std::function<void(const Digest& id, const store::RemovalReport& report)> removed;
};

struct PruneResult {
  std::vector<Digest> removed;  // in the order they went (or would go)
  uint64_t freed = 0;           // on disk; for a dry run, what removing would free
};

// The images a prune removes, least recently used first.
std::vector<store::ImageInfo> prune_candidates(store::Store& store, const PruneOptions& options);

PruneResult prune_images(store::Store& store, const PruneOptions& options,
                         const PruneEffects& effects);

}  // namespace schicht::images
