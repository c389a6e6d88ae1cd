#include "snapshot/tree_copy.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "core/error.h"
#include "core/fs.h"
#include "core/io.h"
#include "snapshot/attributes.h"
#include "snapshot/safe_tree.h"

namespace schicht::snapshot {
namespace {

using InodeKey = std::pair<dev_t, ino_t>;

void copy_data(int from, int to, const std::string& rel) {
  if (::ioctl(to, FICLONE, from) == 0) return;  // a reflink shares blocks until either changes
  for (;;) {
    ssize_t n = ::copy_file_range(from, nullptr, to, nullptr, size_t{1} << 30, 0);
    if (n == 0) return;
    if (n > 0 || errno == EINTR) continue;
    // Not supported here (other filesystem, old kernel): copy through user space from where
    // both offsets stand.
    if (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP) break;
    fail_errno("copy", rel);
  }
  FdReader reader(from, rel);
  FdWriter writer(to, rel);
  copy_stream(reader, writer);
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
  TreeCopier(int to_root, bool set_owner)
      : to_root_(to_root), attr_options_{.set_owner = set_owner} {}

  void copy_children(int from_dir, int to_dir, const std::string& rel) {
    for (const std::string& name : list_dir(from_dir)) {
      copy_node(from_dir, to_dir, name, join_path(rel, name));
    }
  }

 private:
  void copy_node(int from_dir, int to_dir, const std::string& name, const std::string& rel) {
    std::optional<struct stat> found = stat_at(from_dir, name);
    if (!found) return;
    const struct stat& st = *found;
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
      copy_data(from.get(), to.get(), rel);
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
  AttributeOptions attr_options_;
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

uint64_t disk_usage(int dir_fd) {
  struct stat st;
  if (::fstat(dir_fd, &st) != 0) fail_errno("stat", "snapshot");
  std::set<InodeKey> seen;
  return static_cast<uint64_t>(st.st_blocks) * 512 + usage_below(dir_fd, seen);
}

}  // namespace schicht::snapshot
