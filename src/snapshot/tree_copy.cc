#include "snapshot/tree_copy.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/fs.h"
#include "core/io.h"
#include "snapshot/attributes.h"
#include "snapshot/disk_space.h"
#include "snapshot/overlay_form.h"
#include "snapshot/safe_tree.h"

namespace schicht::snapshot {
namespace {

using InodeKey = std::pair<dev_t, ino_t>;

// Copied per call, so the free space is looked at between two.
constexpr size_t kCopyStep = size_t{8} << 20;

// Copies [offset, end) of `from` to the same place in `to`.
void copy_range(int from, int to, off_t offset, off_t end, const std::string& rel,
                SpaceGuard& space, std::vector<char>& buffer) {
  bool in_kernel = true;
  while (offset < end) {
    size_t step = static_cast<size_t>(std::min<off_t>(end - offset, kCopyStep));
    space.will_write(step);
    ssize_t n = -1;
    if (in_kernel) {
      loff_t in = offset, out = offset;
      n = ::copy_file_range(from, &in, to, &out, step, 0);
      // Not supported here (other filesystem, old kernel): through user space instead.
      if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)) {
        in_kernel = false;
        continue;
      }
    } else {
      if (buffer.empty()) buffer.resize(kIoBufferSize);
      n = ::pread(from, buffer.data(), std::min(step, buffer.size()), offset);
      if (n > 0) n = ::pwrite(to, buffer.data(), static_cast<size_t>(n), offset);
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail_errno("copy", rel);
    if (n == 0) break;  // the source shrank: what follows is not there to copy
    offset += n;
  }
}

// Copies the data of a regular file of `size` bytes: its holes stay holes (a sparse 20 GB file
// costs the copy only its data).
void copy_data(int from, int to, off_t size, const std::string& rel, SpaceGuard& space) {
  if (::ioctl(to, FICLONE, from) == 0) return;  // a reflink shares blocks until either changes
  std::vector<char> buffer;
  off_t offset = 0;
  while (offset < size) {
    off_t data = ::lseek(from, offset, SEEK_DATA);
    if (data < 0 && errno == ENXIO) break;  // only a hole is left
    off_t hole = size;
    if (data < 0) {
      data = offset;  // no hole support here: everything is data
    } else {
      hole = ::lseek(from, data, SEEK_HOLE);
      if (hole < 0 || hole > size) hole = size;
    }
    copy_range(from, to, data, hole, rel, space, buffer);
    offset = hole;
  }
  if (::ftruncate(to, size) != 0) fail_errno("set the size of", rel);
}

std::string read_link(int dir_fd, const std::string& name, size_t hint) {
  std::string target(hint + 1, '\0');
  for (;;) {
    ssize_t n = ::readlinkat(dir_fd, name.c_str(), target.data(), target.size());
    if (n < 0) fail_errno("read symlink", name);
    if (static_cast<size_t>(n) < target.size()) {
      target.resize(static_cast<size_t>(n));
      return target;
    }
    target.resize(target.size() * 2);  // it grew since stat()
  }
}

class TreeCopier {
 public:
  TreeCopier(int to_root, bool set_owner, bool skip_markers = false)
      : to_root_(to_root),
        skip_markers_(skip_markers),
        attr_options_{.set_owner = set_owner},
        space_(to_root, "copying a snapshot") {}

  void copy_children(int from_dir, int to_dir, const std::string& rel) {
    for (const std::string& name : list_dir(from_dir)) {
      copy_node(from_dir, to_dir, name, join_path(rel, name));
    }
  }

  // Copies the diff directory `from_dir` onto `to_dir` (flatten_diffs()).
  void merge_children(int from_dir, int to_dir, const std::string& rel) {
    if (is_opaque(from_dir)) {
      for (const std::string& name : list_dir(to_dir)) remove_tree_at(to_dir, name);
    }
    for (const std::string& name : list_dir(from_dir)) {
      std::string child = join_path(rel, name);
      std::optional<struct stat> st = stat_at(from_dir, name);
      if (!st || (name == kOpaqueMarkerFile && S_ISREG(st->st_mode))) continue;
      std::optional<struct stat> there = stat_at(to_dir, name);
      if (is_whiteout(*st)) {
        if (there) remove_tree_at(to_dir, name);
        continue;
      }
      if (S_ISDIR(st->st_mode) && there && S_ISDIR(there->st_mode)) {
        UniqueFd from = open_subdir(from_dir, name);
        UniqueFd to = open_subdir(to_dir, name);
        if (!from || !to) fail_errno("open directory", child);
        // Writable while it is filled; its own mode is set after.
        if (::geteuid() != 0 && ::fchmod(to.get(), (there->st_mode & 07777) | 0700) != 0) {
          fail_errno("chmod", child);
        }
        merge_children(from.get(), to.get(), child);
        set_attributes(to_dir, name, to.get(), false, read_attributes(*st, from.get()),
                       attr_options_);
        continue;
      }
      if (there) remove_tree_at(to_dir, name);
      copy_node(from_dir, to_dir, name, child);
    }
  }

 private:
  void copy_node(int from_dir, int to_dir, const std::string& name, const std::string& rel) {
    std::optional<struct stat> found = stat_at(from_dir, name);
    if (!found) return;
    const struct stat& st = *found;
    // Inside a diff directory that had nothing below it: its markers hide nothing.
    if (skip_markers_ && (is_whiteout(st) || (name == kOpaqueMarkerFile && S_ISREG(st.st_mode)))) {
      return;
    }
    if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
      auto [it, first] = copies_.try_emplace(InodeKey{st.st_dev, st.st_ino}, rel);
      // `it->second` is made of directories this copy created, so resolving it follows nothing.
      if (!first) {
        if (::linkat(to_root_, it->second.c_str(), to_dir, name.c_str(), 0) != 0) {
          fail_errno("link", rel);
        }
        return;
      }
    }
    space_.will_write(SpaceGuard::kNodeCost);
    if (S_ISDIR(st.st_mode)) {
      if (::mkdirat(to_dir, name.c_str(), 0700) != 0) fail_errno("mkdir", rel);
      UniqueFd from = open_subdir(from_dir, name);
      UniqueFd to = open_subdir(to_dir, name);
      if (!from || !to) fail_errno("open directory", rel);
      copy_children(from.get(), to.get(), rel);
      set_attributes(to_dir, name, to.get(), false, read_attributes(st, from.get()), attr_options_);
    } else if (S_ISREG(st.st_mode)) {
      UniqueFd from(::openat(from_dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
      if (!from) fail_errno("open", rel);
      UniqueFd to(::openat(to_dir, name.c_str(),
                           O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
      if (!to) fail_errno("create", rel);
      copy_data(from.get(), to.get(), st.st_size, rel, space_);
      set_attributes(to_dir, name, to.get(), false, read_attributes(st, from.get()), attr_options_);
    } else if (S_ISLNK(st.st_mode)) {
      std::string target = read_link(from_dir, name, static_cast<size_t>(st.st_size));
      if (::symlinkat(target.c_str(), to_dir, name.c_str()) != 0) fail_errno("symlink", rel);
      set_attributes(to_dir, name, -1, true, read_attributes(st, -1), attr_options_);
    } else {
      if (::mknodat(to_dir, name.c_str(), (st.st_mode & S_IFMT) | 0600, st.st_rdev) != 0) {
        fail_errno("create node", rel);
      }
      set_attributes(to_dir, name, -1, false, read_attributes(st, -1), attr_options_);
    }
  }

  int to_root_;
  bool skip_markers_;
  AttributeOptions attr_options_;
  SpaceGuard space_;
  std::map<InodeKey, std::string> copies_;  // multiply-linked inodes -> their first copy
};

uint64_t usage_below(int dir_fd, std::set<InodeKey>& seen) {
  uint64_t total = 0;
  for (const std::string& name : list_dir(dir_fd)) {
    std::optional<struct stat> st = stat_at(dir_fd, name);
    if (!st) continue;
    bool already_counted = st->st_nlink > 1 && !S_ISDIR(st->st_mode) &&
                           !seen.insert(InodeKey{st->st_dev, st->st_ino}).second;
    if (already_counted) continue;
    total += static_cast<uint64_t>(st->st_blocks) * 512;
    if (S_ISDIR(st->st_mode)) {
      UniqueFd sub = open_subdir(dir_fd, name);
      if (!sub) fail_errno("open directory", name);
      total += usage_below(sub.get(), seen);
    }
  }
  return total;
}

}  // namespace

void copy_tree(int from_fd, int to_fd, bool set_owner) {
  TreeCopier copier(to_fd, set_owner);
  copier.copy_children(from_fd, to_fd, "");
  struct stat st;
  if (::fstat(from_fd, &st) != 0) fail_errno("stat", "snapshot");
  UniqueFd top = open_subdir(from_fd, "");
  set_attributes(to_fd, ".", to_fd, false, read_attributes(st, top.get()),
                 AttributeOptions{.set_owner = set_owner});
}

void flatten_diffs(const std::vector<fs::path>& diffs, int to_fd, bool set_owner) {
  for (const fs::path& diff : diffs) {
    UniqueFd from(::open(diff.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!from) fail_errno("open directory", diff.string());
    TreeCopier copier(to_fd, set_owner, true);  // hardlinks are kept within one diff
    copier.merge_children(from.get(), to_fd, "");
    struct stat st;
    if (::fstat(from.get(), &st) != 0) fail_errno("stat", diff.string());
    set_attributes(to_fd, ".", to_fd, false, read_attributes(st, from.get()),
                   AttributeOptions{.set_owner = set_owner});
  }
}

uint64_t disk_usage(int dir_fd) {
  struct stat st;
  if (::fstat(dir_fd, &st) != 0) fail_errno("stat", "snapshot");
  std::set<InodeKey> seen;
  return static_cast<uint64_t>(st.st_blocks) * 512 + usage_below(dir_fd, seen);
}

}  // namespace schicht::snapshot
