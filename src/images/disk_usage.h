// system df's numbers: what the store's images, containers, build cache and artifacts take on
// disk and what removing them would free (podman 4.3's summary rows, schicht's own rows for the
// build cache and artifacts once there are any), and with --verbose each image's share.
// Rendering (sizes, ages, tables) is the caller's.
//
// Snapshots belong to another module, so the caller brings what they take (`SnapshotUsage`).
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "core/digest.h"
#include "store/store.h"

namespace schicht::images {

struct SnapshotUsage {
  std::function<uint64_t()> bytes;                       // all snapshots on disk
  std::function<std::set<std::string>()> images_in_use;  // IDs ("sha256:…") containers use
  // What removing the snapshots only images in `removed` (IDs) need would free.
  std::function<uint64_t(const std::set<std::string>& removed)> unused_bytes;
};

// One summary row: "Images", "Containers", "Local Volumes", then "Build Cache" and
// "Artifacts" when the store has any.
struct UsageRow {
  std::string type;
  size_t total = 0;
  size_t active = 0;
  uint64_t size = 0;
  uint64_t reclaimable = 0;
};

// Images hold their blobs and their layers' snapshots: once there are snapshots, the unused
// images count as reclaimable with the snapshots removing them would free. Containers are
// created, never running: all of them could go.
std::vector<UsageRow> disk_usage(store::Store& store, const SnapshotUsage& snapshots);

// One row of `system df --verbose` per name of an image (REPO and TAG; one row
// "<none>"/"<none>" for an image without names).
struct ImageUsageRow {
  std::string repository, tag;
  Digest id;
  int64_t created = 0;  // unix ns
  uint64_t size = 0, shared = 0, unique = 0;
  int containers = 0;  // the containers made from it
};
std::vector<ImageUsageRow> image_disk_usage(store::Store& store);

}  // namespace schicht::images
