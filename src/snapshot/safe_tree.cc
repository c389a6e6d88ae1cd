#include "snapshot/safe_tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>

#include "core/error.h"

namespace schicht::snapshot {
namespace {

constexpr int kWalkFlags = O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
constexpr int kReadDirFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

// Why opening `name` as a directory failed with ENOTDIR or ELOOP.
WalkStatus classify(int dir_fd, const std::string& name) {
  std::optional<struct stat> st = stat_at(dir_fd, name);
  if (!st) return WalkStatus::kMissing;
  return S_ISLNK(st->st_mode) ? WalkStatus::kSymlink : WalkStatus::kNotDirectory;
}

}  // namespace

std::string join_path(std::string_view dir, std::string_view name) {
  if (dir.empty()) return std::string(name);
  std::string out(dir);
  out += '/';
  out += name;
  return out;
}

std::pair<std::string, std::string> split_path(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return {"", std::string(path)};
  return {std::string(path.substr(0, slash)), std::string(path.substr(slash + 1))};
}

WalkResult open_dir_beneath(int root_fd, std::string_view rel, bool create) {
  WalkResult result;
  result.fd.reset(::openat(root_fd, ".", kWalkFlags));
  if (!result.fd) fail_errno("open", "snapshot root");
  size_t pos = 0;
  while (pos < rel.size()) {
    size_t slash = rel.find('/', pos);
    if (slash == std::string_view::npos) slash = rel.size();
    std::string name(rel.substr(pos, slash - pos));
    std::string prefix(rel.substr(0, slash));
    pos = slash + 1;
    int next = ::openat(result.fd.get(), name.c_str(), kWalkFlags);
    if (next < 0 && errno == ENOENT && create) {
      if (::mkdirat(result.fd.get(), name.c_str(), 0755) != 0 && errno != EEXIST) {
        fail_errno("mkdir", prefix);
      }
      next = ::openat(result.fd.get(), name.c_str(), kWalkFlags);
    }
    if (next < 0) {
      if (errno == ENOENT) {
        result.status = WalkStatus::kMissing;
      } else if (errno == ENOTDIR || errno == ELOOP) {
        result.status = classify(result.fd.get(), name);
      } else {
        fail_errno("open", prefix);
      }
      result.fd.reset();
      result.stopped_at = prefix;
      return result;
    }
    result.fd.reset(next);
  }
  return result;
}

WalkResult resolve_dir_in_root(int root_fd, std::string_view rel, bool create,
                               const DirOwner* owner) {
  constexpr int kMaxLinks = 40;  // Linux's limit for one path lookup
  auto split = [](std::string_view path, std::deque<std::string>& into, bool front) {
    std::vector<std::string> parts;
    size_t pos = 0;
    while (pos <= path.size()) {
      size_t slash = path.find('/', pos);
      if (slash == std::string_view::npos) slash = path.size();
      if (slash > pos) parts.emplace_back(path.substr(pos, slash - pos));
      pos = slash + 1;
    }
    if (front)
      into.insert(into.begin(), parts.begin(), parts.end());
    else
      into.insert(into.end(), parts.begin(), parts.end());
  };
  // The directories from the root down to the current one, and their names.
  std::vector<UniqueFd> fds;
  std::vector<std::string> names;
  fds.emplace_back(::openat(root_fd, ".", kWalkFlags));
  if (!fds.back()) fail_errno("open", "snapshot root");
  auto current_path = [&](const std::string& next) {
    std::string path;
    for (const auto& n : names) path = join_path(path, n);
    return next.empty() ? path : join_path(path, next);
  };
  std::deque<std::string> todo;
  split(rel, todo, false);
  int links = 0;
  WalkResult result;
  auto stop = [&](WalkStatus status, const std::string& name) {
    result.status = status;
    result.stopped_at = current_path(name);
    return std::move(result);
  };
  while (!todo.empty()) {
    std::string name = std::move(todo.front());
    todo.pop_front();
    if (name == ".") continue;
    if (name == "..") {
      if (fds.size() > 1) {
        fds.pop_back();
        names.pop_back();
      }
      continue;
    }
    int dir = fds.back().get();
    int next = ::openat(dir, name.c_str(), kWalkFlags);
    if (next < 0 && errno == ENOENT && create) {
      if (::mkdirat(dir, name.c_str(), 0755) != 0 && errno != EEXIST)
        fail_errno("mkdir", current_path(name));
      if (owner != nullptr &&
          ::fchownat(dir, name.c_str(), owner->uid, owner->gid, AT_SYMLINK_NOFOLLOW) != 0)
        fail_errno("chown", current_path(name));
      next = ::openat(dir, name.c_str(), kWalkFlags);
    }
    if (next >= 0) {
      fds.emplace_back(next);
      names.push_back(name);
      continue;
    }
    if (errno == ENOENT) return stop(WalkStatus::kMissing, name);
    if (errno != ENOTDIR && errno != ELOOP) fail_errno("open", current_path(name));
    WalkStatus why = classify(dir, name);
    if (why != WalkStatus::kSymlink) return stop(why, name);
    if (++links > kMaxLinks) return stop(WalkStatus::kLoop, name);
    std::string target(4096, '\0');
    ssize_t n = ::readlinkat(dir, name.c_str(), target.data(), target.size());
    if (n < 0) fail_errno("readlink", current_path(name));
    target.resize(static_cast<size_t>(n));
    if (target.starts_with("/")) {
      fds.resize(1);
      names.clear();
    }
    split(target, todo, true);
  }
  result.fd = std::move(fds.back());
  return result;
}

std::optional<struct stat> stat_at(int dir_fd, const std::string& name) {
  struct stat st;
  if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) return st;
  if (errno == ENOENT) return std::nullopt;
  fail_errno("stat", name);
}

UniqueFd open_subdir(int dir_fd, const std::string& name) {
  return UniqueFd(::openat(dir_fd, name.empty() ? "." : name.c_str(), kReadDirFlags));
}

std::vector<std::string> list_dir(int dir_fd) {
  // fdopendir() takes ownership of a readable descriptor; reopen so O_PATH ones work too.
  int fd = ::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail_errno("open directory", ".");
  DIR* dir = ::fdopendir(fd);
  if (dir == nullptr) {
    ::close(fd);
    fail_errno("read directory", ".");
  }
  std::vector<std::string> names;
  errno = 0;
  while (const dirent* entry = ::readdir(dir)) {
    if (std::strcmp(entry->d_name, ".") != 0 && std::strcmp(entry->d_name, "..") != 0) {
      names.emplace_back(entry->d_name);
    }
  }
  int saved = errno;
  ::closedir(dir);
  if (saved != 0) {
    errno = saved;
    fail_errno("read directory", ".");
  }
  return names;
}

void remove_tree_at(int dir_fd, const std::string& name) {
  std::optional<struct stat> st = stat_at(dir_fd, name);
  if (!st) return;
  if (S_ISDIR(st->st_mode)) {
    // An owner may always chmod; without write and search permission it could not empty it.
    if ((st->st_mode & 0700) != 0700) ::fchmodat(dir_fd, name.c_str(), 0700, 0);
    UniqueFd sub = open_subdir(dir_fd, name);
    if (!sub) fail_errno("open directory", name);
    for (const std::string& child : list_dir(sub.get())) remove_tree_at(sub.get(), child);
  }
  int flags = S_ISDIR(st->st_mode) ? AT_REMOVEDIR : 0;
  if (::unlinkat(dir_fd, name.c_str(), flags) != 0 && errno != ENOENT) fail_errno("remove", name);
}

}  // namespace schicht::snapshot
