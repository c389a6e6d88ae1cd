#include "builder/copy_step.h"

#include <fcntl.h>
#include <glob.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <limits>

#include <fmt/format.h>

#include "archive/compression.h"
#include "archive/tar_reader.h"
#include "builder/id_map.h"
#include "builder/run_user.h"
#include "core/digest.h"
#include "core/error.h"
#include "http/client.h"
#include "http/timeout_environment.h"
#include "snapshot/apply.h"
#include "snapshot/safe_tree.h"

namespace schicht::builder {
namespace {

bool has_glob(std::string_view s) {
  return s.find_first_of("*?[") != std::string_view::npos;
}

bool is_url(std::string_view s) {
  return s.starts_with("http://") || s.starts_with("https://");
}

// A source path made relative to its root: leading '/' and '..' cannot leave it.
std::string clean_rel(const std::string& source) {
  fs::path p = fs::path("/" + source).lexically_normal();
  std::string s = p.string();
  while (!s.empty() && s.front() == '/') s.erase(0, 1);
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

// ADD's download: the HTTP client's retries, timeouts, TLS and proxies from the environment.
// BuildOptions carries no transfer options (yet), so a build gets the defaults with the
// timeouts users set in the environment, as every other transfer does.
ResolvedSource download(const std::string& url, const fs::path& dir) {
  make_dirs(dir, 0700);
  std::string name = url.substr(url.find("://") + 3);
  size_t slash = name.find_last_of('/');
  name = slash == std::string::npos || slash + 1 == name.size() ? "index.html"
                                                                : name.substr(slash + 1);
  if (size_t q = name.find_first_of("?#"); q != std::string::npos) name.resize(q);
  fs::path path = dir / fmt::format("{}-{}", Digest::sha256_of(url).hex().substr(0, 12), name);
  http::HttpOptions options;
  http::apply_timeout_environment(options);
  // Made before the file, so that a libcurl that cannot be loaded leaves no file behind.
  http::HttpClient client(options);
  UniqueFd file(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666));
  if (!file) fail_errno("create", path.string());
  FdWriter sink(file.get(), path.string());
  http::HttpResponse response =
      client.send_to(http::HttpRequest{.url = url}, sink, std::numeric_limits<uint64_t>::max());
  if (response.status < 200 || response.status > 299) {
    fail(ErrorKind::kNetwork, fmt::format("getting {:?}: the server answered {}", url,
                                          http::status_text(response.status)));
  }
  if (::close(file.release()) != 0) fail_errno("write", path.string());
  return ResolvedSource{.path = path, .rel = name, .url = true};
}

UniqueFd open_dir_path(const fs::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) fail_errno("open", path.string());
  return fd;
}

struct Owner {
  uid_t uid = 0;
  gid_t gid = 0;
};

class Copier {
 public:
  Copier(const CopySpec& spec, Owner owner) : spec_(spec), owner_(owner) {}

  // Copies host node `from` (already lstat'ed as `st`) to `name` in `dir_fd`.
  void copy_node(const fs::path& from, const std::string& rel, const struct stat& st, int dir_fd,
                 const std::string& name) {
    if (spec_.ignore != nullptr && !rel.empty() && spec_.ignore->ignored(rel)) return;
    if (S_ISDIR(st.st_mode)) {
      UniqueFd sub = ensure_dir(dir_fd, name, st.st_mode & 07777);
      copy_children(from, rel, sub.get());
      finish_attrs(sub.get(), dir_fd, name, st, false);
    } else if (S_ISREG(st.st_mode)) {
      remove_non_dir(dir_fd, name);
      UniqueFd in(::open(from.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
      if (!in) fail_errno("open", from.string());
      UniqueFd out(::openat(dir_fd, name.c_str(),
                            O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
      if (!out) fail_errno("create", name);
      off_t left = st.st_size;
      while (left > 0) {
        ssize_t n = ::sendfile(out.get(), in.get(), nullptr,
                               static_cast<size_t>(std::min<off_t>(left, 1 << 30)));
        if (n < 0) fail_errno("copy", from.string());
        if (n == 0) break;
        left -= n;
      }
      finish_attrs(out.get(), dir_fd, name, st, false);
    } else if (S_ISLNK(st.st_mode)) {
      remove_non_dir(dir_fd, name);
      std::string target(static_cast<size_t>(st.st_size) + 256, '\0');
      ssize_t n = ::readlink(from.c_str(), target.data(), target.size());
      if (n < 0) fail_errno("readlink", from.string());
      target.resize(static_cast<size_t>(n));
      if (::symlinkat(target.c_str(), dir_fd, name.c_str()) != 0) fail_errno("symlink", name);
      finish_attrs(-1, dir_fd, name, st, true);
    }
    // Sockets, devices and fifos in a context are not copied, as buildah's copier skips them.
  }

  void copy_children(const fs::path& from, const std::string& rel, int dir_fd) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(from))
      names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    for (const auto& n : names) {
      struct stat st {};
      fs::path child = from / n;
      if (::lstat(child.c_str(), &st) != 0) fail_errno("stat", child.string());
      copy_node(child, rel.empty() ? n : rel + "/" + n, st, dir_fd, n);
    }
  }

 private:
  void remove_non_dir(int dir_fd, const std::string& name) {
    auto st = snapshot::stat_at(dir_fd, name);
    if (!st) return;
    if (S_ISDIR(st->st_mode))
      snapshot::remove_tree_at(dir_fd, name);
    else if (::unlinkat(dir_fd, name.c_str(), 0) != 0)
      fail_errno("remove", name);
  }

  UniqueFd ensure_dir(int dir_fd, const std::string& name, mode_t mode) {
    auto st = snapshot::stat_at(dir_fd, name);
    if (st && !S_ISDIR(st->st_mode)) {
      if (::unlinkat(dir_fd, name.c_str(), 0) != 0) fail_errno("remove", name);
      st.reset();
    }
    if (!st && ::mkdirat(dir_fd, name.c_str(), mode | 0700) != 0) fail_errno("mkdir", name);
    UniqueFd fd = snapshot::open_subdir(dir_fd, name);
    if (!fd) fail_errno("open", name);
    return fd;
  }

  void finish_attrs(int fd, int dir_fd, const std::string& name, const struct stat& st,
                    bool symlink) {
    if (::geteuid() == 0) {
      // From a stage or an image without --chown, files keep their owners, as buildah's do.
      bool keep = spec_.keep_owners && !spec_.chown;
      uid_t uid = keep ? st.st_uid : owner_.uid;
      gid_t gid = keep ? st.st_gid : owner_.gid;
      if (::fchownat(dir_fd, name.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW) != 0) {
        fail_errno("chown", name);
      }
    }
    if (!symlink) {
      mode_t mode = spec_.chmod ? *spec_.chmod : st.st_mode & 07777;
      if (::fchmod(fd, mode) != 0) fail_errno("chmod", name);
    }
    struct timespec times[2] = {st.st_mtim, st.st_mtim};
    if (::utimensat(dir_fd, name.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0)
      fail_errno("set times of", name);
  }

  const CopySpec& spec_;
  Owner owner_;
};

// Whether the file is a tar archive, maybe compressed: ADD extracts those.
bool is_archive(const fs::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return false;
  try {
    FdReader raw(fd.get(), path.string());
    auto plain = decompress(raw);
    TarReader tar(*plain, path.string());
    TarEntry entry;
    return tar.next(entry);
  } catch (const Error&) {
    return false;
  }
}

void hash_tree(Hasher& h, const fs::path& path, const std::string& rel, const IgnoreRules* ignore) {
  if (ignore != nullptr && !rel.empty() && ignore->ignored(rel)) return;
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) fail_errno("stat", path.string());
  h.update(fmt::format("{}\n{:o}\n{}\n", rel, st.st_mode, st.st_size));
  if (S_ISREG(st.st_mode)) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) fail_errno("open", path.string());
    std::vector<char> buf(1 << 16);
    for (;;) {
      ssize_t n = ::read(fd.get(), buf.data(), buf.size());
      if (n < 0) fail_errno("read", path.string());
      if (n == 0) break;
      h.update(buf.data(), static_cast<size_t>(n));
    }
  } else if (S_ISLNK(st.st_mode)) {
    h.update(fs::read_symlink(path).string());
  } else if (S_ISDIR(st.st_mode)) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(path))
      names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    for (const auto& n : names) hash_tree(h, path / n, rel.empty() ? n : rel + "/" + n, ignore);
  }
}

}  // namespace

// "user[:group]" as numbers, names looked up in the root filesystem's passwd and group files.
std::pair<uid_t, gid_t> lookup_owner(const std::string& spec, const fs::path& rootfs) {
  // The ids of `name`'s line: uid and gid in passwd, the gid twice in group. A malformed line
  // (not 7 or 4 fields, ids not numbers) is skipped, as later buildah's chrootuser skips it
  // (podman 4.3's stops at it and so also misses the names after it).
  auto lookup = [&](const std::string& name, const char* file,
                    bool passwd) -> std::optional<std::pair<uint32_t, uint32_t>> {
    std::string text;
    try {
      text = read_file(rootfs / file);
    } catch (const Error&) {
      return std::nullopt;
    }
    for (const auto& f : colon_records(text)) {
      if (f.size() != (passwd ? 7u : 4u) || f[0] != name) continue;
      auto first = parse_id(f[2]);
      auto second = passwd ? parse_id(f[3]) : first;
      if (first && second) return std::pair{*first, *second};
    }
    return std::nullopt;
  };
  size_t colon = spec.find(':');
  std::string user = spec.substr(0, colon);
  std::string group = colon == std::string::npos ? "" : spec.substr(colon + 1);
  uid_t uid = 0;
  gid_t gid = 0;
  if (auto id = parse_id(user)) {
    uid = *id;
    gid = *id;
  } else if (auto ids = lookup(user, "etc/passwd", true)) {
    uid = ids->first;
    gid = ids->second;
  } else {
    fail(ErrorKind::kNotFound,
         fmt::format("looking up UID/GID for {:?}: determining run uid: user: unknown user error "
                     "looking up user {:?}",
                     spec, user));
  }
  if (!group.empty()) {
    if (auto id = parse_id(group)) {
      gid = *id;
    } else if (auto ids = lookup(group, "etc/group", false)) {
      gid = ids->first;
    } else {
      fail(ErrorKind::kNotFound,
           fmt::format("looking up UID/GID for {:?}: determining run gid: group: unknown group "
                       "error looking up group {:?}",
                       spec, group));
    }
  }
  return {uid, gid};
}

mode_t parse_chmod(const std::string& text) {
  if (text.empty() || text.size() > 4 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '7'; })) {
    fail(ErrorKind::kInvalidInput, fmt::format("invalid chmod {:?}: must be an octal mode", text));
  }
  return static_cast<mode_t>(std::stoul(text, nullptr, 8));
}

std::vector<ResolvedSource> resolve_sources(const CopySpec& spec) {
  std::vector<ResolvedSource> out;
  fs::path root = spec.source_root;
  for (const auto& source : spec.sources) {
    if (is_url(source)) {
      if (!spec.add) {
        fail(ErrorKind::kInvalidInput, fmt::format("source can't be a URL for COPY"));
      }
      out.push_back(download(source, spec.download_dir));
      continue;
    }
    std::string rel = clean_rel(source);
    std::vector<ResolvedSource> matched;
    if (has_glob(rel)) {
      glob_t g{};
      std::string pattern = (root / rel).string();
      if (::glob(pattern.c_str(), 0, nullptr, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc; ++i) {
          fs::path p = g.gl_pathv[i];
          std::string r = p.lexically_relative(root).string();
          if (spec.ignore != nullptr && spec.ignore->ignored(r)) continue;
          matched.push_back({p, r});
        }
      }
      globfree(&g);
    } else {
      fs::path p = rel.empty() ? root : root / rel;
      struct stat st {};
      bool ignored = spec.ignore != nullptr && !rel.empty() && spec.ignore->ignored(rel);
      if (!ignored && ::lstat(p.c_str(), &st) == 0) matched.push_back({p, rel});
    }
    if (matched.empty()) {
      fail(ErrorKind::kNotFound,
           fmt::format("checking on sources under {:?}: copier: stat: {:?}: no such file or "
                       "directory",
                       root.string(), "/" + rel));
    }
    // A source must stay inside its root even through symlinks (an image may hold any).
    for (const auto& m : matched) {
      std::error_code ec;
      fs::path real = fs::weakly_canonical(m.path, ec);
      fs::path real_root = fs::weakly_canonical(root, ec);
      std::string r = real.lexically_relative(real_root).string();
      if (ec || r == ".." || r.starts_with("../")) {
        fail(ErrorKind::kInvalidInput,
             fmt::format("copier: {:?} resolves outside of {:?}", "/" + m.rel, root.string()));
      }
    }
    out.insert(out.end(), matched.begin(), matched.end());
  }
  return out;
}

std::string hash_sources(const CopySpec& spec, const std::vector<ResolvedSource>& sources) {
  Hasher h;
  std::string kind = "multi";
  if (sources.size() == 1) {
    struct stat st {};
    kind = ::stat(sources[0].path.c_str(), &st) == 0 && S_ISDIR(st.st_mode) ? "dir" : "file";
  }
  for (const auto& s : sources)
    hash_tree(h, s.path, s.url ? s.rel : "", s.url ? nullptr : spec.ignore);
  return fmt::format("{}:{}", kind, h.finish().hex());
}

void copy_into(const CopySpec& spec, const std::vector<ResolvedSource>& sources,
               const fs::path& rootfs) {
  Owner owner;
  if (spec.chown) {
    auto [uid, gid] = lookup_owner(*spec.chown, rootfs);
    owner = {uid, gid};
    // Rootless, other owners exist only in a user namespace with subordinate ids, where this
    // runs as root (mapped_tree.h); without them the files would silently stay root's.
    if (::geteuid() != 0 && (uid != 0 || gid != 0)) {
      const IdMapping* ids = rootless_mapping();
      fail(ErrorKind::kUnsupported,
           fmt::format("copying with --chown={} as {}:{} needs a user namespace with more than "
                       "the caller's id: {}",
                       *spec.chown, uid, gid,
                       ids != nullptr ? ids->why_not : "not running as root"));
    }
  }
  Copier copier(spec, owner);
  UniqueFd root_fd = open_dir_path(rootfs);
  std::string dest = spec.dest;
  bool dest_is_dir = dest.ends_with("/") || sources.size() > 1;
  std::string dest_rel = clean_rel(dest);
  // Directories the copy has to create belong to the --chown owner, as buildah's do (rootless
  // too: then this runs as root of the build's user namespace).
  snapshot::DirOwner dir_owner{owner.uid, owner.gid};
  const snapshot::DirOwner* created_owner = spec.chown && ::geteuid() == 0 ? &dir_owner : nullptr;
  // Symlinks on the way are followed inside the root filesystem, as a chrooted copier would.
  auto open_beneath = [&](const std::string& rel) {
    auto walk = snapshot::resolve_dir_in_root(root_fd.get(), rel, true, created_owner);
    if (walk.status == snapshot::WalkStatus::kLoop) {
      fail(ErrorKind::kInvalidInput,
           fmt::format("copying to {:?}: resolving {:?}: too many levels of symbolic links", dest,
                       "/" + walk.stopped_at));
    }
    if (walk.status != snapshot::WalkStatus::kOk) {
      fail(ErrorKind::kInvalidInput,
           fmt::format("copying to {:?}: {:?} is not a directory", dest, "/" + walk.stopped_at));
    }
    // O_PATH descriptors cannot be read: reopen the directory for reading.
    UniqueFd fd(::openat(walk.fd.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) fail_errno("open", rel);
    return fd;
  };
  if (!dest_is_dir && !dest_rel.empty()) {
    auto [parent, name] = snapshot::split_path(dest_rel);
    UniqueFd parent_fd = open_beneath(parent);
    auto st = snapshot::stat_at(parent_fd.get(), name);
    if (st && S_ISDIR(st->st_mode)) dest_is_dir = true;
    if (st && S_ISLNK(st->st_mode)) {
      // A link to a directory is copied into; so is a dangling one, whose target is made
      // (buildah does both). A link to anything else is replaced, never written through.
      auto target = snapshot::resolve_dir_in_root(root_fd.get(), dest_rel, false);
      if (target.status == snapshot::WalkStatus::kOk ||
          target.status == snapshot::WalkStatus::kMissing)
        dest_is_dir = true;
    }
  }
  if (dest_rel.empty()) dest_is_dir = true;
  for (const auto& source : sources) {
    struct stat st {};
    if (::stat(source.path.c_str(), &st) != 0) fail_errno("stat", source.path.string());
    std::string rel = source.url ? "" : source.rel;
    if (S_ISDIR(st.st_mode)) {
      UniqueFd dir = open_beneath(dest_rel);
      copier.copy_children(source.path, rel, dir.get());
      continue;
    }
    if (spec.add && !source.url && is_archive(source.path)) {
      UniqueFd dir = open_beneath(dest_rel);
      UniqueFd in(::open(source.path.c_str(), O_RDONLY | O_CLOEXEC));
      if (!in) fail_errno("open", source.path.string());
      FdReader raw(in.get(), source.path.string());
      auto plain = decompress(raw);
      snapshot::ApplyOptions options;
      options.name = source.rel;
      snapshot::apply_layer(*plain, fmt::format("/proc/self/fd/{}", dir.get()), options);
      continue;
    }
    std::string target = dest_is_dir ? dest_rel : snapshot::split_path(dest_rel).first;
    std::string name =
        dest_is_dir ? source.path.filename().string() : snapshot::split_path(dest_rel).second;
    // A URL keeps its own name only when copied into a directory (a file destination names it).
    if (source.url && dest_is_dir) name = source.rel;
    UniqueFd dir = open_beneath(target);
    struct stat lst {};
    if (::lstat(source.path.c_str(), &lst) != 0) fail_errno("stat", source.path.string());
    // A top-level symlink source is followed: its target's content is copied.
    fs::path from = source.path;
    if (S_ISLNK(lst.st_mode)) {
      from = fs::canonical(source.path);
      lst = st;
    }
    copier.copy_node(from, "", lst, dir.get(), name);
  }
}

}  // namespace schicht::builder
