#include "containers/snapshot_check.h"

#include <algorithm>

#include <fmt/format.h>

#include "containers/containers.h"
#include "snapshot/snapshotter.h"

namespace schicht::containers {

void check_snapshots(store::Store& store, const store::CheckOptions& options,
                     store::CheckReport& report) {
  fs::path dir = store.root() / "snapshots";
  if (!fs::exists(dir)) return;
  snapshot::Snapshotter snapshots(dir);
  // Listed before the images are read: a snapshot listed was built for an image already stored.
  std::vector<Digest> present = snapshots.list();
  if (snapshots.old_format() && !present.empty()) {
    // A cache of an older layout, which the next use rebuilds anyway.
    report.problems.push_back(
        fmt::format("{} snapshots of an older version (full trees, not diffs)", present.size()));
    ++report.unrepaired;
    if (options.repair) {
      snapshots.migrate();
      report.repairs.push_back(
          fmt::format("removed {} snapshots of an older version", present.size()));
      --report.unrepaired;
      present = snapshots.list();
    }
  }
  std::set<std::string> needed = needed_snapshots(store);
  for (const auto& chain : present) {
    if (needed.count(chain.str()) != 0) continue;
    report.problems.push_back(fmt::format("unreferenced snapshot {}", chain.str()));
    ++report.unrepaired;
    if (options.repair) {
      snapshots.remove(chain);
      report.repairs.push_back(fmt::format("removed unreferenced snapshot {}", chain.str()));
      --report.unrepaired;
    }
  }
  for (const auto& stale : snapshots.stale()) {
    report.problems.push_back(fmt::format("stale snapshot build {}", stale.string()));
    ++report.unrepaired;
  }
  if (options.repair) {
    size_t removed = snapshots.remove_stale();
    if (removed != 0)
      report.repairs.push_back(fmt::format("removed {} stale snapshot builds", removed));
    report.unrepaired -= std::min(report.unrepaired, removed);
  }
}

}  // namespace schicht::containers
