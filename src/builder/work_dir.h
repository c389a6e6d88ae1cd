// A build's private working directory, <root>/tmp/build-XXXXXX: root filesystems of stages,
// downloads, squash trees. The build holds an flock() on the directory for as long as it runs,
// so `system check` can tell a live build's directory from one a killed build left behind
// (lock free) and `system check --repair` can remove the latter.
#pragma once

#include <string>
#include <vector>

#include "core/fs.h"

namespace schicht::builder {

class WorkDir {
 public:
  // Creates and locks a new directory under <store_root>/tmp.
  explicit WorkDir(const fs::path& store_root);
  // Removes the directory (a failure is only logged: system check finds what is left).
  ~WorkDir();
  WorkDir(const WorkDir&) = delete;
  WorkDir& operator=(const WorkDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
  UniqueFd lock_;
};

// Removes `name` in directory `parent` with everything beneath it. Rootless, what RUN made
// as another user belongs to subordinate ids the caller cannot remove: then the removal is
// done again as root of a user namespace mapping them (id_map.h), as buildah does.
void remove_build_tree(const fs::path& parent, const std::string& name);

// Build directories under <store_root>/tmp whose build is gone (nobody holds their lock).
std::vector<fs::path> stale_work_dirs(const fs::path& store_root);

// Removes them, each while holding its lock, after detaching the overlays of their stages
// (overlay_root.h); returns how many went.
size_t remove_stale_work_dirs(const fs::path& store_root);

}  // namespace schicht::builder
