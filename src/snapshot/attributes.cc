#include "snapshot/attributes.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <string_view>

#include "core/error.h"

namespace schicht::snapshot {
namespace {

bool is_overlay_xattr(std::string_view name) {
  return name.starts_with("trusted.overlay.") || name.starts_with("user.overlay.");
}

void drop_xattr(const AttributeOptions& options) {
  if (options.xattrs_dropped != nullptr) ++*options.xattrs_dropped;
}

void set_xattrs(const std::string& name, int node_fd, const NodeAttributes& attrs,
                const AttributeOptions& options) {
  for (const auto& [key, value] : attrs.xattrs) {
    if (node_fd < 0 || is_overlay_xattr(key)) {
      drop_xattr(options);
      continue;
    }
    if (::fsetxattr(node_fd, key.c_str(), value.data(), value.size(), 0) == 0) continue;
    if (errno == ENOTSUP || errno == EPERM || errno == EACCES) {
      drop_xattr(options);
      continue;
    }
    fail_errno("set extended attribute " + key + " on", name);
  }
}

// Lists the xattr names of `fd`, retrying while they grow between the two calls.
std::vector<std::string> xattr_names(int fd) {
  for (;;) {
    ssize_t size = ::flistxattr(fd, nullptr, 0);
    if (size < 0 && (errno == ENOTSUP || errno == EPERM)) return {};
    if (size < 0) fail_errno("list extended attributes of", "file");
    std::string buffer(static_cast<size_t>(size), '\0');
    ssize_t got = ::flistxattr(fd, buffer.data(), buffer.size());
    if (got < 0 && errno == ERANGE) continue;
    if (got < 0) fail_errno("list extended attributes of", "file");
    std::vector<std::string> names;
    for (size_t pos = 0; pos < static_cast<size_t>(got);) {
      std::string key(buffer.c_str() + pos);
      pos += key.size() + 1;
      if (!key.empty()) names.push_back(std::move(key));
    }
    return names;
  }
}

}  // namespace

void set_attributes(int dir_fd, const std::string& name, int node_fd, bool is_symlink,
                    const NodeAttributes& attrs, const AttributeOptions& options) {
  const char* at = name.c_str();
  if (options.set_owner) {
    int rc = node_fd >= 0 ? ::fchown(node_fd, attrs.uid, attrs.gid)
                          : ::fchownat(dir_fd, at, attrs.uid, attrs.gid, AT_SYMLINK_NOFOLLOW);
    if (rc != 0) fail_errno("chown", name);
  }
  if (!is_symlink) {
    // Without a descriptor the node is one this code just created or lstat()ed as a non-link.
    int rc = node_fd >= 0 ? ::fchmod(node_fd, attrs.mode) : ::fchmodat(dir_fd, at, attrs.mode, 0);
    if (rc != 0) fail_errno("chmod", name);
  }
  set_xattrs(name, node_fd, attrs, options);
  const struct timespec times[2] = {attrs.atime, attrs.mtime};
  int rc = node_fd >= 0 ? ::futimens(node_fd, times)
                        : ::utimensat(dir_fd, at, times, AT_SYMLINK_NOFOLLOW);
  if (rc != 0) fail_errno("set times of", name);
}

NodeAttributes read_attributes(const struct stat& st, int node_fd) {
  NodeAttributes attrs;
  attrs.mode = st.st_mode & 07777;
  attrs.uid = st.st_uid;
  attrs.gid = st.st_gid;
  attrs.atime = st.st_atim;
  attrs.mtime = st.st_mtim;
  if (node_fd < 0) return attrs;
  for (std::string& key : xattr_names(node_fd)) {
    std::string value;
    for (;;) {
      ssize_t size = ::fgetxattr(node_fd, key.c_str(), nullptr, 0);
      if (size < 0 && errno == ENODATA) break;  // removed between list and get
      if (size < 0) fail_errno("read extended attribute " + key + " of", "file");
      value.resize(static_cast<size_t>(size));
      ssize_t got = ::fgetxattr(node_fd, key.c_str(), value.data(), value.size());
      if (got < 0 && errno == ERANGE) continue;
      if (got < 0) fail_errno("read extended attribute " + key + " of", "file");
      value.resize(static_cast<size_t>(got));
      attrs.xattrs.emplace_back(std::move(key), std::move(value));
      break;
    }
  }
  return attrs;
}

}  // namespace schicht::snapshot
