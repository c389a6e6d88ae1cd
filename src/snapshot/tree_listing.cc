#include "snapshot/tree_listing.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <set>
#include <unordered_set>

#include "archive/tar_reader.h"

namespace schicht::snapshot {

namespace {

constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kAufsPrefix = ".wh..wh.";
constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";

std::string parent_of(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? "" : std::string(path.substr(0, slash));
}

std::string join(const std::string& dir, std::string_view name) {
  return dir.empty() ? std::string(name) : dir + "/" + std::string(name);
}

uint32_t type_bits(TarEntry::Type type) {
  switch (type) {
    case TarEntry::Type::kDirectory:
      return S_IFDIR;
    case TarEntry::Type::kSymlink:
      return S_IFLNK;
    case TarEntry::Type::kCharDevice:
      return S_IFCHR;
    case TarEntry::Type::kBlockDevice:
      return S_IFBLK;
    case TarEntry::Type::kFifo:
      return S_IFIFO;
    default:
      return S_IFREG;
  }
}

FileMeta meta_of(const TarEntry& entry) {
  FileMeta m;
  m.mode = type_bits(entry.type) | (entry.mode & 07777);
  if (entry.type == TarEntry::Type::kSymlink) m.mode = S_IFLNK | 0777;  // Linux ignores it
  m.uid = entry.uid;
  m.gid = entry.gid;
  if (entry.type == TarEntry::Type::kCharDevice || entry.type == TarEntry::Type::kBlockDevice) {
    m.rdev = makedev(entry.dev_major, entry.dev_minor);
  }
  if (entry.type == TarEntry::Type::kFile) m.size = entry.size;
  if (entry.type == TarEntry::Type::kSymlink) m.size = entry.link_target.size();
  m.mtime_sec = entry.mtime_sec;
  m.mtime_nsec = entry.mtime_nsec;
  for (const auto& [key, value] : entry.xattrs) {
    if (key == "security.capability") m.capability = value;
  }
  return m;
}

// One layer replayed onto a listing. Whiteouts and opaque markers hide lower layers only:
// what this layer put there (and the directories above it) stays, wherever the marker lies in
// the tar, as apply.cc does it.
class Replay {
 public:
  explicit Replay(std::map<std::string, FileMeta>& files) : files_(files) {}

  void entry(const TarEntry& entry, const std::string& path) {
    if (path.empty()) return;  // the root's own attributes are never compared
    auto [dir, base] = split(path);
    // AUFS metadata (.wh..wh.plnk and what lies in it) is skipped with the markers.
    if (marker(dir, base)) return;
    if (entry.type == TarEntry::Type::kOther) return;
    FileMeta meta;
    if (entry.type == TarEntry::Type::kHardlink) {
      auto target = files_.find(clean_entry_path(entry.link_target, "layer"));
      if (target == files_.end()) return;
      meta = target->second;  // one inode: the link shows the target's stat
    } else {
      meta = meta_of(entry);
    }
    make_parents(dir);
    auto existing = files_.find(path);
    bool keep_children =
        existing != files_.end() && S_ISDIR(existing->second.mode) && S_ISDIR(meta.mode);
    if (!keep_children) remove_tree(path, false);
    files_[path] = std::move(meta);
    touch(path);
  }

 private:
  static std::pair<std::string, std::string> split(const std::string& path) {
    size_t slash = path.rfind('/');
    if (slash == std::string::npos) return {"", path};
    return {path.substr(0, slash), path.substr(slash + 1)};
  }

  // Whiteouts, opaque markers and AUFS metadata; true when the entry was one.
  bool marker(const std::string& dir, const std::string& base) {
    for (size_t pos = 0; pos < dir.size();) {
      size_t slash = dir.find('/', pos);
      std::string_view component = std::string_view(dir).substr(pos, slash - pos);
      if (component.starts_with(kWhiteoutPrefix)) return true;  // beneath a marker: not a file
      if (slash == std::string::npos) break;
      pos = slash + 1;
    }
    if (!base.starts_with(kWhiteoutPrefix)) return false;
    if (base == kOpaqueMarker) {
      if (dir.empty()) {
        remove_children("", true);
      } else if (auto it = files_.find(dir); it != files_.end() && S_ISDIR(it->second.mode)) {
        remove_children(dir, true);
      }
    } else if (!base.starts_with(kAufsPrefix)) {
      std::string target = join(dir, std::string_view(base).substr(kWhiteoutPrefix.size()));
      if (files_.contains(target)) remove_tree(target, true);
    }
    return true;
  }

  // Removes `path` and what lies beneath it; with `keep_touched`, what this layer made stays.
  void remove_tree(const std::string& path, bool keep_touched) {
    if (!keep_touched || !touched_.contains(path)) files_.erase(path);
    remove_children(path, keep_touched);
  }

  void remove_children(const std::string& dir, bool keep_touched) {
    std::string prefix = dir.empty() ? "" : dir + "/";
    auto it = files_.lower_bound(prefix);
    while (it != files_.end() && it->first.starts_with(prefix)) {
      if (keep_touched && touched_.contains(it->first)) {
        ++it;
      } else {
        it = files_.erase(it);
      }
    }
  }

  // Missing parent directories are made as apply.cc makes them.
  void make_parents(const std::string& dir) {
    if (dir.empty() || files_.contains(dir)) return;
    make_parents(parent_of(dir));
    FileMeta m;
    m.mode = S_IFDIR | 0755;
    files_[dir] = m;
  }

  void touch(std::string path) {
    while (!path.empty() && touched_.insert(path).second) path = parent_of(path);
  }

  std::map<std::string, FileMeta>& files_;
  std::unordered_set<std::string> touched_;
};

// containers/storage's statDifferent, plus the capability check of its caller.
bool different(const FileMeta& a, const FileMeta& b) {
  if (a.mode != b.mode || a.uid != b.uid || a.gid != b.gid || a.rdev != b.rdev) return true;
  if (!S_ISDIR(a.mode)) {
    bool same_time = a.mtime_sec == b.mtime_sec &&
                     (a.mtime_nsec == b.mtime_nsec || a.mtime_nsec == 0 || b.mtime_nsec == 0);
    if (!same_time || a.size != b.size) return true;
  }
  return a.capability != b.capability;
}

// Paths with '/' before any other byte: a directory's entries follow it directly.
bool path_less(const std::string& a, const std::string& b) {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    auto key = [](char c) { return c == '/' ? 0 : static_cast<unsigned char>(c) + 1; };
    return key(x) < key(y);
  });
}

}  // namespace

void TreeListing::apply(Reader& layer_tar, std::string_view name) {
  TarReader tar(layer_tar, std::string(name));
  Replay replay(files_);
  TarEntry entry;
  while (tar.next(entry)) replay.entry(entry, clean_entry_path(entry.path, name));
}

std::vector<TreeChange> tree_changes(const TreeListing& from, const TreeListing& to) {
  const auto& old_files = from.files();
  const auto& new_files = to.files();
  std::map<std::string, TreeChange::Kind> changes;
  for (const auto& [path, meta] : new_files) {
    auto it = old_files.find(path);
    if (it == old_files.end()) {
      changes[path] = TreeChange::Kind::kAdd;
    } else if (different(it->second, meta)) {
      changes[path] = TreeChange::Kind::kModify;
    }
  }
  // ChangesDirs descends through the new tree's directories only: a deleted path is reported
  // when its parent is a directory there, and nothing beneath it is.
  for (const auto& [path, meta] : old_files) {
    if (new_files.contains(path)) continue;
    std::string parent = parent_of(path);
    auto it = new_files.find(parent);
    if (parent.empty() || (it != new_files.end() && S_ISDIR(it->second.mode))) {
      changes[path] = TreeChange::Kind::kDelete;
    }
  }
  // A directory with changes beneath it is changed too (every ancestor of a change is in the
  // new tree; one the old tree lacks is itself added).
  std::vector<std::string> ancestors;
  for (const auto& [path, kind] : changes) {
    for (std::string dir = parent_of(path); !dir.empty(); dir = parent_of(dir)) {
      ancestors.push_back(dir);
    }
  }
  for (const auto& dir : ancestors) changes.emplace(dir, TreeChange::Kind::kModify);

  std::vector<TreeChange> out;
  out.reserve(changes.size());
  for (const auto& [path, kind] : changes) out.push_back({"/" + path, kind});
  std::sort(out.begin(), out.end(),
            [](const TreeChange& a, const TreeChange& b) { return path_less(a.path, b.path); });
  return out;
}

}  // namespace schicht::snapshot
