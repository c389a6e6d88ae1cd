#include "builder/layer_tar.h"

#include <fcntl.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>

#include "core/error.h"
#include "snapshot/attributes.h"
#include "snapshot/safe_tree.h"

namespace schicht::builder {

LayerTar::LayerTar(Writer& out, const DiffOptions& options, bool overlay_upper)
    : tar_(out),
      options_(options),
      ids_(options.owners_as_seen ? nullptr : rootless_mapping()),
      overlay_upper_(overlay_upper) {}

void LayerTar::whiteout(const std::string& dir, const std::string& name, int64_t dir_mtime) {
  TarEntry wh;
  wh.path = snapshot::join_path(dir, ".wh." + name);
  wh.type = TarEntry::Type::kFile;
  wh.mode = 0;
  wh.mtime_sec = options_.mtime.value_or(dir_mtime);
  tar_.add_entry(wh, nullptr);
  ++stats_.whiteouts;
}

bool LayerTar::node(int dir_fd, const std::string& path, const std::string& name,
                    const struct stat& st) {
  if (S_ISSOCK(st.st_mode)) return false;
  TarEntry entry;
  entry.path = path;
  entry.mode = st.st_mode & 07777;
  // Rootless, RUN's user namespace maps the caller to root and subordinate ids to the
  // others (id_map.h): the layer records owners as the namespace sees them, as in
  // podman's rootless builds.
  entry.uid = ids_ != nullptr ? to_container(ids_->uids, st.st_uid) : st.st_uid;
  entry.gid = ids_ != nullptr ? to_container(ids_->gids, st.st_gid) : st.st_gid;
  entry.mtime_sec = options_.mtime.value_or(st.st_mtim.tv_sec);
  UniqueFd node;
  if (S_ISREG(st.st_mode)) {
    if (st.st_nlink > 1) {
      auto [it, first] = written_inodes_.emplace(st.st_ino, path);
      if (!first) {
        entry.type = TarEntry::Type::kHardlink;
        entry.link_target = it->second;
        tar_.add_entry(entry, nullptr);
        ++stats_.entries;
        return true;
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
    entry.type = S_ISCHR(st.st_mode) ? TarEntry::Type::kCharDevice : TarEntry::Type::kBlockDevice;
    entry.dev_major = major(st.st_rdev);
    entry.dev_minor = minor(st.st_rdev);
  } else if (S_ISFIFO(st.st_mode)) {
    entry.type = TarEntry::Type::kFifo;
  } else {
    return false;
  }
  if (node) entry.xattrs = snapshot::read_attributes(st, node.get()).xattrs;
  if (overlay_upper_) {
    std::erase_if(entry.xattrs, [](const auto& xattr) {
      return xattr.first.starts_with("trusted.overlay.") ||
             xattr.first.starts_with("user.overlay.");
    });
  }
  if (entry.type == TarEntry::Type::kFile) {
    FdReader data(node.get(), path);
    tar_.add_entry(entry, &data);
  } else {
    tar_.add_entry(entry, nullptr);
  }
  ++stats_.entries;
  return true;
}

void LayerTar::finish() {
  tar_.finish();
}

}  // namespace schicht::builder
