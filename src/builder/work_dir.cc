#include "builder/work_dir.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "builder/id_map.h"
#include "core/error.h"
#include "snapshot/overlay_mount.h"
#include "snapshot/safe_tree.h"

namespace schicht::builder {
namespace {

constexpr std::string_view kPrefix = "build-";
constexpr int kDirFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

// Returns false when `nonblocking` and another process holds the lock.
bool lock_dir(int fd, const fs::path& path, bool nonblocking) {
  while (::flock(fd, LOCK_EX | (nonblocking ? LOCK_NB : 0)) != 0) {
    if (errno == EWOULDBLOCK && nonblocking) return false;
    if (errno != EINTR) fail_errno("lock", path.string());
  }
  return true;
}

}  // namespace

void remove_build_tree(const fs::path& parent, const std::string& name) {
  auto remove = [&] {
    UniqueFd dir(::open(parent.c_str(), kDirFlags));
    if (!dir) fail_errno("open", parent.string());
    snapshot::remove_tree_at(dir.get(), name);
  };
  const IdMapping* ids = rootless_mapping();
  if (ids == nullptr || !ids->subordinate) return remove();
  try {
    remove();
  } catch (const Error&) {
    run_as_mapped_root(*ids, remove);
  }
}

WorkDir::WorkDir(const fs::path& store_root) {
  fs::path base = store_root / "tmp";
  make_dirs(base, 0700);
  for (;;) {
    std::string templ = (base / (std::string(kPrefix) + "XXXXXX")).string();
    if (::mkdtemp(templ.data()) == nullptr) fail_errno("create", templ);
    path_ = templ;
    lock_.reset(::open(path_.c_str(), kDirFlags));
    if (!lock_) fail_errno("open", path_.string());
    lock_dir(lock_.get(), path_, false);
    // A concurrent `system check --repair` may have taken the new, not yet locked directory
    // for a leftover; then it is gone (or going) and another name is needed.
    struct stat st {};
    if (::fstat(lock_.get(), &st) != 0) fail_errno("stat", path_.string());
    if (st.st_nlink > 0) return;
  }
}

WorkDir::~WorkDir() {
  ignore_error("removing the build's temporary directory; system check --repair removes it",
               [&] { remove_build_tree(path_.parent_path(), path_.filename().string()); });
}

std::vector<fs::path> stale_work_dirs(const fs::path& store_root) {
  std::vector<fs::path> out;
  fs::path base = store_root / "tmp";
  std::error_code ec;
  if (!fs::is_directory(base, ec)) return out;
  for (const fs::directory_entry& entry : fs::directory_iterator(base)) {
    if (!entry.path().filename().string().starts_with(kPrefix)) continue;
    UniqueFd fd(::open(entry.path().c_str(), kDirFlags));
    // Gone meanwhile, or locked by its build: not stale. The probe's lock ends with `fd`.
    if (fd && lock_dir(fd.get(), entry.path(), true)) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

size_t remove_stale_work_dirs(const fs::path& store_root) {
  size_t removed = 0;
  fs::path base = store_root / "tmp";
  for (const fs::path& path : stale_work_dirs(store_root)) {
    UniqueFd fd(::open(path.c_str(), kDirFlags));
    // Held while deleting, so a build that just created this name sees it vanish.
    if (!fd || !lock_dir(fd.get(), path, true)) continue;
    // A stage's overlay (overlay_root.h) the killed build left mounted is detached first, so
    // that nothing is removed through it.
    for (const std::string& name : snapshot::list_dir(fd.get())) {
      if (name.starts_with("overlay")) snapshot::unmount_if_mounted(path / name / "merged");
    }
    remove_build_tree(base, path.filename().string());
    ++removed;
  }
  return removed;
}

}  // namespace schicht::builder
