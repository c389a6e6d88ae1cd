#include "builder/tree_diff.h"

#include "builder/id_map.h"

#include <fcntl.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <set>
#include <vector>

#include <fmt/format.h>

#include "archive/tar_writer.h"
#include "builder/id_map.h"
#include "core/error.h"
#include "snapshot/attributes.h"
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

  DiffStats stats;
  TarWriter tar(out);
  auto write_whiteouts = [&](const std::string& dir, int64_t mtime) {
    auto it = whiteouts.find(dir);
    if (it == whiteouts.end()) return;
    for (const auto& name : it->second) {
      TarEntry wh;
      wh.path = join_path(dir, ".wh." + name);
      wh.type = TarEntry::Type::kFile;
      wh.mode = 0;
      wh.mtime_sec = options.mtime.value_or(mtime);
      tar.add_entry(wh, nullptr);
      ++stats.whiteouts;
    }
  };
  {
    struct stat root_st {};
    if (::stat(root.c_str(), &root_st) != 0) fail_errno("stat", root.string());
    write_whiteouts("", root_st.st_mtim.tv_sec);
  }
  std::map<ino_t, std::string> written_inodes;  // for hardlinks among the written files
  const IdMapping* ids = options.owners_as_seen ? nullptr : rootless_mapping();
  UniqueFd root_fd = open_root(root);
  walk(root_fd.get(), "",
       [&](int dir_fd, const std::string& path, const std::string& name, const struct stat& st) {
         if (emit.count(path) == 0 || S_ISSOCK(st.st_mode)) return;
         TarEntry entry;
         entry.path = path;
         entry.mode = st.st_mode & 07777;
         // Rootless, RUN's user namespace maps the caller to root and subordinate ids to the
         // others (id_map.h): the layer records owners as the namespace sees them, as in
         // podman's rootless builds.
         entry.uid = ids != nullptr ? to_container(ids->uids, st.st_uid) : st.st_uid;
         entry.gid = ids != nullptr ? to_container(ids->gids, st.st_gid) : st.st_gid;
         entry.mtime_sec = options.mtime.value_or(st.st_mtim.tv_sec);
         UniqueFd node;
         if (S_ISREG(st.st_mode)) {
           if (st.st_nlink > 1) {
             auto [it, first] = written_inodes.emplace(st.st_ino, path);
             if (!first) {
               entry.type = TarEntry::Type::kHardlink;
               entry.link_target = it->second;
               tar.add_entry(entry, nullptr);
               ++stats.entries;
               return;
             }
           }
           entry.type = TarEntry::Type::kFile;
           entry.size = static_cast<uint64_t>(st.st_size);
           node.reset(::openat(dir_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
           if (!node) fail_errno("open", path);
         } else if (S_ISDIR(st.st_mode)) {
           entry.type = TarEntry::Type::kDirectory;
           node = snapshot::open_subdir(dir_fd, name);
         } else if (S_ISLNK(st.st_mode)) {
           entry.type = TarEntry::Type::kSymlink;
           std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
           ssize_t n = ::readlinkat(dir_fd, name.c_str(), target.data(), target.size());
           if (n < 0) fail_errno("readlink", path);
           target.resize(static_cast<size_t>(n));
           entry.link_target = target;
         } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
           entry.type =
               S_ISCHR(st.st_mode) ? TarEntry::Type::kCharDevice : TarEntry::Type::kBlockDevice;
           entry.dev_major = major(st.st_rdev);
           entry.dev_minor = minor(st.st_rdev);
         } else if (S_ISFIFO(st.st_mode)) {
           entry.type = TarEntry::Type::kFifo;
         } else {
           return;
         }
         if (node) entry.xattrs = snapshot::read_attributes(st, node.get()).xattrs;
         if (entry.type == TarEntry::Type::kFile) {
           FdReader data(node.get(), path);
           tar.add_entry(entry, &data);
         } else {
           tar.add_entry(entry, nullptr);
         }
         ++stats.entries;
         if (entry.type == TarEntry::Type::kDirectory) write_whiteouts(path, st.st_mtim.tv_sec);
       });
  tar.finish();
  return stats;
}

}  // namespace schicht::builder
