#include "builder/tree_diff.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <set>
#include <vector>

#include <fmt/format.h>

#include "builder/layer_tar.h"
#include "core/error.h"
#include "snapshot/safe_tree.h"

namespace schicht::builder {
namespace {

using snapshot::join_path;

NodeStamp stamp_of(const struct stat& st) {
  return NodeStamp{.ino = st.st_ino,
                   .mode = st.st_mode,
                   .uid = st.st_uid,
                   .gid = st.st_gid,
                   .size = st.st_size,
                   .mtime = st.st_mtim,
                   .ctime = st.st_ctim};
}

bool same_time(const struct timespec& a, const struct timespec& b) {
  return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

// As containers/storage compares (so layers list what podman's list): identity, type and
// permissions, owner, size and mtime. ctime is left out on purpose: linking a file changes it,
// and podman does not write the unchanged link target again.
bool same(const NodeStamp& a, const NodeStamp& b) {
  return a.ino == b.ino && a.mode == b.mode && a.uid == b.uid && a.gid == b.gid &&
         (S_ISDIR(a.mode) || a.size == b.size) && same_time(a.mtime, b.mtime);
}

UniqueFd open_root(const fs::path& root) {
  UniqueFd fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) fail_errno("open", root.string());
  return fd;
}

// Depth first, names sorted: fn(dir_fd, rel path, name, stat) for every node below `dir_fd`.
using Visit = std::function<void(int, const std::string&, const std::string&, const struct stat&)>;

void walk(int dir_fd, const std::string& rel, const Visit& fn) {
  std::vector<std::string> names = snapshot::list_dir(dir_fd);
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    auto st = snapshot::stat_at(dir_fd, name);
    if (!st) continue;  // removed meanwhile: the tree is private, so this is not expected
    std::string path = join_path(rel, name);
    fn(dir_fd, path, name, *st);
    if (S_ISDIR(st->st_mode)) {
      UniqueFd sub = snapshot::open_subdir(dir_fd, name);
      if (!sub) fail_errno("open", path);
      walk(sub.get(), path, fn);
    }
  }
}

std::string parent_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

}  // namespace

TreeState scan_tree(const fs::path& root) {
  TreeState state;
  UniqueFd fd = open_root(root);
  walk(fd.get(), "", [&](int, const std::string& path, const std::string&, const struct stat& st) {
    state.emplace(path, stamp_of(st));
  });
  return state;
}

DiffStats write_diff(const fs::path& root, const TreeState& before, Writer& out,
                     const DiffOptions& options) {
  TreeState after = scan_tree(root);
  std::set<std::string> emit;
  auto add_with_parents = [&](std::string path) {
    while (!path.empty() && emit.insert(path).second) path = parent_of(path);
  };
  for (const auto& [path, st] : after) {
    auto it = before.find(path);
    if (it == before.end() || !same(it->second, st)) add_with_parents(path);
  }
  // Whiteouts for the topmost removed nodes, grouped by the directory that holds them.
  std::map<std::string, std::vector<std::string>> whiteouts;
  for (const auto& [path, st] : before) {
    if (after.count(path) != 0) continue;
    std::string parent = parent_of(path);
    if (!parent.empty()) {
      auto p = after.find(parent);
      if (p == after.end() || !S_ISDIR(p->second.mode)) continue;  // covered higher up
      add_with_parents(parent);
    }
    whiteouts[parent].push_back(path.substr(parent.empty() ? 0 : parent.size() + 1));
  }

  LayerTar tar(out, options);
  auto write_whiteouts = [&](const std::string& dir, int64_t mtime) {
    auto it = whiteouts.find(dir);
    if (it == whiteouts.end()) return;
    for (const auto& name : it->second) tar.whiteout(dir, name, mtime);
  };
  {
    struct stat root_st {};
    if (::stat(root.c_str(), &root_st) != 0) fail_errno("stat", root.string());
    write_whiteouts("", root_st.st_mtim.tv_sec);
  }
  UniqueFd root_fd = open_root(root);
  walk(root_fd.get(), "",
       [&](int dir_fd, const std::string& path, const std::string& name, const struct stat& st) {
         if (emit.count(path) == 0) return;
         if (tar.node(dir_fd, path, name, st) && S_ISDIR(st.st_mode)) {
           write_whiteouts(path, st.st_mtim.tv_sec);
         }
       });
  tar.finish();
  return tar.stats();
}

}  // namespace schicht::builder
