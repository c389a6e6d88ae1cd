#include "builder/overlay_root.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "builder/layers.h"
#include "builder/upper_diff.h"
#include "core/error.h"
#include "snapshot/overlay_mount.h"
#include "snapshot/safe_tree.h"

namespace schicht::builder {

OverlayRoot::OverlayRoot(store::Store& store, fs::path dir)
    : store_(store), dir_(std::move(dir)), merged_(dir_ / "merged") {
  make_dirs(merged_, 0755);
}

OverlayRoot::~OverlayRoot() {
  ignore_error("removing a build stage's overlay; the work directory is removed after it", [&] {
    unmount();
    UniqueFd parent(::open(dir_.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!parent) fail_errno("open", dir_.parent_path().string());
    snapshot::remove_tree_at(parent.get(), dir_.filename().string());
  });
}

void OverlayRoot::unmount() {
  if (!mounted_) return;
  snapshot::unmount_if_mounted(merged_);
  mounted_ = false;
}

void OverlayRoot::invalidate() {
  unmount();
  lowers_.clear();
  held_.reset();
}

const fs::path& OverlayRoot::mount(const std::vector<store::LayerInfo>& layers) {
  unmount();
  if (lowers_.empty()) {
    held_.reset();
    if (layers.empty()) {
      lowers_.push_back(dir_ / "empty");  // overlayfs needs a lower directory
      make_dirs(lowers_.back(), 0755);
    } else {
      held_.emplace(hold_snapshots(store_, layers));
      lowers_ = held_->paths();
    }
  }
  ++steps_;
  fs::path upper = dir_ / fmt::format("upper{}", steps_);
  fs::path work = dir_ / fmt::format("work{}", steps_);
  make_dirs(upper, 0755);
  make_dirs(work, 0700);
  // The merged root shows the upper root's attributes: those of the tree's root so far.
  struct stat top;
  if (::stat(lowers_.back().c_str(), &top) != 0) fail_errno("stat", lowers_.back().string());
  if (::chown(upper.c_str(), top.st_uid, top.st_gid) != 0 ||
      ::chmod(upper.c_str(), top.st_mode & 07777) != 0) {
    fail_errno("set the attributes of", upper.string());
  }
  snapshot::mount_overlay({.lowers = lowers_, .upper = upper, .work = work, .plain_upper = true},
                          merged_);
  mounted_ = true;
  return merged_;
}

DiffStats OverlayRoot::write_layer(Writer& out, const DiffOptions& options) {
  if (!mounted_) fail(ErrorKind::kInternal, "a build step's layer without its overlay");
  unmount();
  fs::path upper = dir_ / fmt::format("upper{}", steps_);
  DiffStats stats = write_upper_diff(upper, lowers_, out, options);
  lowers_.push_back(upper);
  return stats;
}

}  // namespace schicht::builder
