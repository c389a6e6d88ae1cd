#include "builder/upper_diff.h"

#include <fcntl.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "builder/layer_tar.h"
#include "core/error.h"
#include "snapshot/overlay_form.h"
#include "snapshot/safe_tree.h"

namespace schicht::builder {
namespace {

using snapshot::join_path;

// The lower directories one directory of the merged tree is made of, topmost first.
using LowerStack = std::vector<UniqueFd>;

UniqueFd open_dir(const fs::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) fail_errno("open", path.string());
  return fd;
}

struct LowerNode {
  std::optional<struct stat> st;  // nullopt: the lowers do not have it
  LowerStack below;               // for a directory: what it merges, topmost first
};

// `name` in the merged lowers, as overlayfs looks it up: the topmost lower holding it decides,
// a whiteout hides it, and a directory merges the directories of that name further down until
// an opaque one or anything that is not a directory.
LowerNode lookup(const LowerStack& stack, const std::string& name) {
  LowerNode found;
  for (const auto& dir : stack) {
    auto st = snapshot::stat_at(dir.get(), name);
    if (!st) continue;
    if (!S_ISDIR(st->st_mode)) {
      if (!found.st && !snapshot::is_whiteout(*st)) found.st = *st;
      return found;
    }
    if (!found.st) found.st = *st;
    UniqueFd sub = snapshot::open_subdir(dir.get(), name);
    if (!sub) fail_errno("open", name);
    bool opaque = snapshot::is_opaque(sub.get());
    found.below.push_back(std::move(sub));
    if (opaque) break;
  }
  return found;
}

bool same_time(const struct timespec& a, const struct timespec& b) {
  return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

// tree_diff's comparison without the inode, which a copy-up always changes.
bool same_stamps(const struct stat& upper, const struct stat& lower) {
  return upper.st_mode == lower.st_mode && upper.st_uid == lower.st_uid &&
         upper.st_gid == lower.st_gid &&
         (S_ISDIR(upper.st_mode) || upper.st_size == lower.st_size) &&
         same_time(upper.st_mtim, lower.st_mtim);
}

bool has_overlay_xattr(int fd, const char* what) {
  for (const char* ns : {"trusted.overlay.", "user.overlay."}) {
    std::string name = std::string(ns) + what;
    if (::fgetxattr(fd, name.c_str(), nullptr, 0) >= 0) return true;
  }
  return false;
}

[[noreturn]] void unreadable(const std::string& path, const char* why) {
  fail(ErrorKind::kUnsupported, "overlay upper directory: " + path + " is " + why +
                                    " (mount with redirect_dir=off, " + "metacopy=off)");
}

std::string parent_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

// What to write: the nodes and the whiteouts by directory.
struct Plan {
  std::set<std::string> emit;
  std::map<std::string, std::vector<std::string>> whiteouts;

  void add_with_parents(std::string path) {
    while (!path.empty() && emit.insert(path).second) path = parent_of(path);
  }
};

// The names the merged lowers show in one directory (`stack`, topmost first), sorted.
std::vector<std::string> merged_names(const LowerStack& stack) {
  std::set<std::string> seen, shown;
  for (const auto& dir : stack) {
    for (const auto& name : snapshot::list_dir(dir.get())) {
      if (name == snapshot::kOpaqueMarkerFile || !seen.insert(name).second) continue;
      auto st = snapshot::stat_at(dir.get(), name);
      if (st && !snapshot::is_whiteout(*st)) shown.insert(name);
    }
  }
  return {shown.begin(), shown.end()};
}

// `replaced`: the directory `rel` was made anew over a directory of the lowers (it or one
// above it is opaque), so what the lowers held in it and the upper lacks is gone. tree_diff
// sees such a directory as a new inode and writes a whiteout for each child it lost, in every
// directory of the new subtree that was a directory before too: so does this.
void plan_dir(int upper_fd, const std::string& rel, const LowerStack& stack, bool replaced,
              Plan& plan) {
  std::vector<std::string> names = snapshot::list_dir(upper_fd);
  std::sort(names.begin(), names.end());
  std::set<std::string> present;
  for (const auto& name : names) {
    auto st = snapshot::stat_at(upper_fd, name);
    if (!st) continue;
    std::string path = join_path(rel, name);
    LowerNode lower = lookup(stack, name);
    if (snapshot::is_whiteout(*st)) {
      // A whiteout over nothing (fuse-overlayfs may leave some) removes nothing; in a replaced
      // directory the removed children are found below.
      if (!lower.st || replaced) continue;
      plan.whiteouts[rel].push_back(name);
      plan.add_with_parents(rel);
      continue;
    }
    present.insert(name);
    bool lower_dir = lower.st && S_ISDIR(lower.st->st_mode);
    if (S_ISDIR(st->st_mode)) {
      UniqueFd sub = snapshot::open_subdir(upper_fd, name);
      if (!sub) fail_errno("open", path);
      if (has_overlay_xattr(sub.get(), "redirect")) unreadable(path, "a redirected directory");
      bool anew = lower_dir && (replaced || snapshot::is_opaque(sub.get()));
      if (!lower.st || !same_stamps(*st, *lower.st) || anew) plan.add_with_parents(path);
      LowerStack below = lower_dir ? std::move(lower.below) : LowerStack{};
      plan_dir(sub.get(), path, below, anew, plan);
      continue;
    }
    if (lower.st && same_stamps(*st, *lower.st)) continue;
    if (S_ISREG(st->st_mode)) {
      UniqueFd file(::openat(upper_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
      if (!file) fail_errno("open", path);
      if (has_overlay_xattr(file.get(), "metacopy")) unreadable(path, "a metadata-only copy-up");
    }
    plan.add_with_parents(path);
  }
  if (!replaced) return;
  for (const auto& name : merged_names(stack)) {
    if (present.count(name) != 0) continue;
    plan.whiteouts[rel].push_back(name);
    plan.add_with_parents(rel);
  }
}

void write_dir(int upper_fd, const std::string& rel, const Plan& plan, LayerTar& tar) {
  std::vector<std::string> names = snapshot::list_dir(upper_fd);
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    std::string path = join_path(rel, name);
    // Nothing beneath a directory left out is written either (add_with_parents).
    if (plan.emit.count(path) == 0) continue;
    auto st = snapshot::stat_at(upper_fd, name);
    if (!st || !tar.node(upper_fd, path, name, *st) || !S_ISDIR(st->st_mode)) continue;
    if (auto it = plan.whiteouts.find(path); it != plan.whiteouts.end()) {
      for (const auto& gone : it->second) tar.whiteout(path, gone, st->st_mtim.tv_sec);
    }
    UniqueFd sub = snapshot::open_subdir(upper_fd, name);
    if (!sub) fail_errno("open", path);
    write_dir(sub.get(), path, plan, tar);
  }
}

}  // namespace

DiffStats write_upper_diff(const fs::path& upper, const std::vector<fs::path>& lowers, Writer& out,
                           const DiffOptions& options) {
  UniqueFd upper_fd = open_dir(upper);
  LowerStack stack;
  for (auto it = lowers.rbegin(); it != lowers.rend(); ++it) stack.push_back(open_dir(*it));
  Plan plan;
  plan_dir(upper_fd.get(), "", stack, false, plan);

  LayerTar tar(out, options, true);
  if (auto it = plan.whiteouts.find(""); it != plan.whiteouts.end()) {
    struct stat root_st {};
    if (::fstat(upper_fd.get(), &root_st) != 0) fail_errno("stat", upper.string());
    for (const auto& gone : it->second) tar.whiteout("", gone, root_st.st_mtim.tv_sec);
  }
  write_dir(upper_fd.get(), "", plan, tar);
  tar.finish();
  return tar.stats();
}

}  // namespace schicht::builder
