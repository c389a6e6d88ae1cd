#include "images/disk_usage.h"

#include <map>
#include <utility>

#include "core/reference.h"
#include "store/artifacts.h"
#include "store/build_cache.h"
#include "store/usage.h"

namespace schicht::images {

std::vector<UsageRow> disk_usage(store::Store& store, const SnapshotUsage& snapshots) {
  std::vector<UsageRow> rows;
  const store::ImageTotals totals = store::image_totals(store);
  uint64_t container_bytes = 0;
  auto containers = store.containers();
  for (const auto& c : containers) container_bytes += c.size;
  // Snapshots exist only once an image was mounted or given a container: only then are the
  // unused images listed, for the snapshots removing them would free.
  const uint64_t snapshot_bytes = snapshots.bytes();
  uint64_t unused_snapshots = 0;
  if (snapshot_bytes > 0) {
    std::set<std::string> in_use = snapshots.images_in_use(), unused;
    for (const auto& image : store.images({.digests = false, .details = false})) {
      if (in_use.count(image.id.str()) == 0) unused.insert(image.id.str());
    }
    unused_snapshots = snapshots.unused_bytes(unused);
  }
  rows.push_back({"Images", totals.images, totals.active, totals.bytes + snapshot_bytes,
                  totals.reclaimable + unused_snapshots});
  rows.push_back({"Containers", containers.size(), 0, container_bytes, container_bytes});
  rows.push_back({"Local Volumes", 0, 0, 0, 0});
  // podman 4.3 has no build cache; schicht shows its own, as Docker does, once there is one.
  if (store::CacheUsage cache = store::cache_usage(store); cache.entries > 0) {
    rows.push_back({"Build Cache", cache.entries, 0, cache.bytes, cache.reclaimable});
  }
  // Artifacts (podman 5's artifact store), once there is one: removing them frees the blobs no
  // image or list shares.
  if (store::ArtifactTotals a = store::artifact_totals(store); a.artifacts > 0) {
    rows.push_back({"Artifacts", a.artifacts, 0, a.bytes, a.reclaimable});
  }
  return rows;
}

std::vector<ImageUsageRow> image_disk_usage(store::Store& store) {
  store::Usage usage = store::usage(store);
  auto images = store.images({.digests = false, .details = false});  // IDs, names, times
  std::map<std::string, int> users;
  for (const auto& c : store.containers()) users[c.image_id.str()] += 1;
  std::vector<ImageUsageRow> rows;
  for (const auto& image : images) {
    const store::ImageUsage& u = usage.images[image.id.str()];
    std::vector<std::pair<std::string, std::string>> names;
    for (const auto& n : image.names) {
      auto ref = Reference::try_parse(n);
      if (ref) names.emplace_back(ref->name(), ref->tag);
    }
    if (names.empty()) names.emplace_back("<none>", "<none>");
    for (const auto& [repo, tag] : names) {
      rows.push_back(ImageUsageRow{.repository = repo,
                                   .tag = tag,
                                   .id = image.id,
                                   .created = image.created,
                                   .size = u.bytes,
                                   .shared = u.shared,
                                   .unique = u.unique(),
                                   .containers = users[image.id.str()]});
    }
  }
  return rows;
}

}  // namespace schicht::images
