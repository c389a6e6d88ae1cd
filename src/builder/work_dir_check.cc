#include "builder/work_dir_check.h"

#include <algorithm>

#include <fmt/format.h>

#include "builder/work_dir.h"

namespace schicht::builder {

// Working directories of builds that were killed (nobody holds their lock).
void check_build_dirs(store::Store& store, const store::CheckOptions& options,
                      store::CheckReport& report) {
  std::vector<fs::path> stale = stale_work_dirs(store.root());
  for (const auto& dir : stale)
    report.problems.push_back(fmt::format("stale build directory {}", dir.string()));
  report.unrepaired += stale.size();
  if (options.repair && !stale.empty()) {
    size_t removed = remove_stale_work_dirs(store.root());
    if (removed != 0)
      report.repairs.push_back(fmt::format("removed {} stale build directories", removed));
    report.unrepaired -= std::min(report.unrepaired, removed);
  }
}

}  // namespace schicht::builder
