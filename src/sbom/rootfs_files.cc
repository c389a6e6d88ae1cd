#include "sbom/rootfs_files.h"

#include <fmt/format.h>

#include "archive/tar_reader.h"
#include "core/error.h"

namespace schicht::sbom {

namespace {

constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";

std::pair<std::string, std::string> split(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return {"", path};
  return {path.substr(0, slash), path.substr(slash + 1)};
}

// Whether a directory path has a component that is a whiteout marker.
bool beneath_marker(std::string_view dir) {
  for (size_t pos = 0; pos < dir.size();) {
    size_t slash = dir.find('/', pos);
    if (dir.substr(pos, slash - pos).starts_with(kWhiteoutPrefix)) return true;
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }
  return false;
}

// One layer's changes, gathered in one pass and applied after it: its whiteouts hide only
// what lower layers hold, wherever they lie in the tar.
struct LayerChanges {
  std::vector<std::string> whited_out;                        // the path and all beneath it
  std::vector<std::string> opaque_dirs;                       // all beneath it
  std::vector<std::string> directories;                       // replace a lower non-directory
  std::map<std::string, std::optional<std::string>> entries;  // file contents (kept) or nullopt
  std::map<std::string, std::string> symlinks;
};

}  // namespace

RootfsFiles RootfsFiles::read(std::span<const LayerInput> layers, const Wanted& wanted) {
  RootfsFiles out;
  for (const auto& layer : layers) {
    auto reader = layer.open();
    out.apply(*reader, layer.name, wanted);
    // To its last byte: the tar may end before its compressed stream does, and a streamed
    // layer (remote_image.h) checks its digest only there.
    char rest[16384];
    while (reader->read(rest, sizeof rest) > 0) {
    }
  }
  return out;
}

void RootfsFiles::apply(Reader& layer_tar, std::string_view layer_name, const Wanted& wanted) {
  TarReader tar(layer_tar, std::string(layer_name));
  LayerChanges changes;
  size_t kept_in_layer = 0;
  // Whether an entry that keeps nothing must still be recorded: it replaces what lower layers
  // left at its path (a file or symlink there, or a directory with kept files beneath it).
  // Other entries are not remembered, so a layer of a million files costs no memory.
  auto hides_lower = [this](const std::string& path) {
    for (const auto* map : {&files_, &symlinks_}) {
      if (map->contains(path)) return true;
      auto it = map->lower_bound(path + "/");
      if (it != map->end() && it->first.starts_with(path + "/")) return true;
    }
    return false;
  };
  TarEntry entry;
  while (tar.next(entry)) {
    std::string path = clean_entry_path(entry.path, layer_name);
    if (path.empty()) continue;
    auto [dir, base] = split(path);
    if (beneath_marker(dir)) continue;  // AUFS metadata (.wh..wh.plnk/...)
    if (base == kOpaqueMarker) {
      changes.opaque_dirs.push_back(dir);
      continue;
    }
    if (base.starts_with(kWhiteoutPrefix)) {
      std::string name = base.substr(kWhiteoutPrefix.size());
      if (!name.starts_with(kWhiteoutPrefix)) {
        changes.whited_out.push_back(dir.empty() ? name : dir + "/" + name);
      }
      continue;
    }
    changes.entries.erase(path);
    changes.symlinks.erase(path);
    switch (entry.type) {
      case TarEntry::Type::kDirectory:
        if (files_.contains(path) || symlinks_.contains(path)) changes.directories.push_back(path);
        break;
      case TarEntry::Type::kSymlink:
        if (symlinks_.size() + changes.symlinks.size() >= kMaxSymlinks) {
          fail(ErrorKind::kInvalidInput,
               fmt::format("{}: more than {} symlinks (the limit of what an SBOM reads)",
                           layer_name, kMaxSymlinks));
        }
        changes.symlinks[path] = entry.link_target;
        break;
      case TarEntry::Type::kHardlink: {
        // One inode: the link holds what its target holds, if that was kept.
        std::optional<std::string> contents;
        if (wanted(path) != Want::kNo) {
          std::string target = clean_entry_path(entry.link_target, layer_name);
          if (auto it = changes.entries.find(target); it != changes.entries.end()) {
            contents = it->second;
          } else if (auto lower = files_.find(target); lower != files_.end()) {
            contents = lower->second;
          }
        }
        if (contents || hides_lower(path)) changes.entries[path] = std::move(contents);
        break;
      }
      case TarEntry::Type::kFile: {
        std::optional<std::string> contents;
        Want want = wanted(path);
        if (want == Want::kPresence) contents.emplace();
        if (want == Want::kContents) {
          if (entry.size > kMaxKeptFileBytes) {
            fail(ErrorKind::kInvalidInput,
                 fmt::format("{}: /{}: {} bytes, over the limit of {} MiB an SBOM reads of a file",
                             layer_name, path, entry.size, kMaxKeptFileBytes >> 20));
          }
          if (kept_bytes_ + entry.size > kMaxKeptTotalBytes ||
              files_.size() + kept_in_layer >= kMaxKeptFiles) {
            fail(ErrorKind::kInvalidInput,
                 fmt::format("{}: /{}: over the limit of {} files or {} MiB an SBOM reads of an "
                             "image",
                             layer_name, path, kMaxKeptFiles, kMaxKeptTotalBytes >> 20));
          }
          kept_bytes_ += entry.size;
          ++kept_in_layer;
          contents = read_all(tar.data(), kMaxKeptFileBytes, "/" + path);
        }
        if (contents || hides_lower(path)) changes.entries[path] = std::move(contents);
        break;
      }
      default:
        // A device or fifo hides a lower file all the same.
        if (hides_lower(path)) changes.entries[path] = std::nullopt;
        break;
    }
  }

  for (const auto& path : changes.whited_out) remove_tree(path, true);
  for (const auto& dir : changes.opaque_dirs) remove_tree(dir, false);
  for (const auto& dir : changes.directories) {
    files_.erase(dir);
    symlinks_.erase(dir);
  }
  for (auto& [path, target] : changes.symlinks) {
    remove_tree(path, true);
    symlinks_[path] = std::move(target);
  }
  for (auto& [path, contents] : changes.entries) {
    remove_tree(path, true);
    if (contents) files_[path] = std::move(*contents);
  }
}

void RootfsFiles::remove_tree(const std::string& path, bool self) {
  for (auto* map : {&files_, &symlinks_}) {
    if (path.empty()) {
      map->clear();  // the root's opaque marker
      continue;
    }
    if (self) map->erase(path);
    // Everything beneath "a" starts with "a/" and so lies in one run of the ordered map.
    std::string prefix = path + "/";
    auto it = map->lower_bound(prefix);
    while (it != map->end() && it->first.starts_with(prefix)) it = map->erase(it);
  }
}

std::optional<std::string> RootfsFiles::resolve(std::string_view input) const {
  // Components still to walk, and the resolved prefix so far.
  std::vector<std::string> todo;
  auto push_components = [&todo](std::string_view text) {
    std::vector<std::string> parts;
    size_t pos = 0;
    while (pos <= text.size()) {
      size_t slash = text.find('/', pos);
      if (slash == std::string_view::npos) slash = text.size();
      std::string_view part = text.substr(pos, slash - pos);
      if (!part.empty() && part != ".") parts.emplace_back(part);
      pos = slash + 1;
    }
    todo.insert(todo.end(), parts.rbegin(), parts.rend());
  };
  push_components(input);
  std::vector<std::string> done;
  int hops = 0;
  while (!todo.empty()) {
    std::string part = std::move(todo.back());
    todo.pop_back();
    if (part == "..") {
      if (!done.empty()) done.pop_back();  // ".." of the root is the root
      continue;
    }
    done.push_back(part);
    std::string current;
    for (const auto& d : done) current += (current.empty() ? "" : "/") + d;
    auto link = symlinks_.find(current);
    if (link == symlinks_.end()) continue;
    if (++hops > kMaxSymlinkHops) return std::nullopt;
    done.pop_back();
    if (link->second.starts_with('/')) done.clear();
    push_components(link->second);
  }
  std::string out;
  for (const auto& d : done) out += (out.empty() ? "" : "/") + d;
  return out;
}

const std::string* RootfsFiles::find(std::string_view path) const {
  auto resolved = resolve(path);
  if (!resolved) return nullptr;
  auto it = files_.find(*resolved);
  return it == files_.end() ? nullptr : &it->second;
}

std::vector<std::pair<std::string, const std::string*>> RootfsFiles::list(
    std::string_view dir) const {
  std::vector<std::pair<std::string, const std::string*>> out;
  auto resolved = resolve(dir);
  if (!resolved || resolved->empty()) return out;
  std::string prefix = *resolved + "/";
  for (auto it = files_.lower_bound(prefix); it != files_.end() && it->first.starts_with(prefix);
       ++it) {
    std::string_view name = std::string_view(it->first).substr(prefix.size());
    if (name.find('/') == std::string_view::npos) out.emplace_back(name, &it->second);
  }
  return out;
}

}  // namespace schicht::sbom
