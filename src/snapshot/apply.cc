#include "snapshot/apply.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <limits>
#include <map>
#include <set>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <fmt/format.h>

#include "archive/tar_reader.h"
#include "core/error.h"
#include "snapshot/attributes.h"
#include "snapshot/disk_space.h"
#include "snapshot/overlay_form.h"
#include "snapshot/safe_tree.h"

namespace schicht::snapshot {
namespace {

constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kAufsPrefix = ".wh..wh.";
constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";
// AUFS keeps hardlink targets here: its files are extracted so links to them resolve, and the
// directory is removed when the layer is done, as containers/storage does.
constexpr std::string_view kAufsLinkDir = ".wh..wh.plnk";
// Deep enough for any real image, shallow enough that the recursive tree walks (a descriptor per
// level) stay far below the default limit of 1024 open files.
constexpr size_t kMaxDepth = 512;
// chown() reads (uid_t)-1 as "leave unchanged".
constexpr int64_t kMaxId = 0xfffffffe;

[[noreturn]] void fail_too_large(const ApplyOptions& options) {
  fail(ErrorKind::kInvalidInput,
       fmt::format("{}: the uncompressed layer exceeds the limit of {} bytes", options.name,
                   options.max_bytes));
}

// Stops the tar stream at max_bytes, so a bomb is cut off while it streams.
class BoundedReader final : public Reader {
 public:
  BoundedReader(Reader& inner, const ApplyOptions& options) : inner_(inner), options_(options) {}
  size_t read(void* buffer, size_t size) override {
    size_t n = inner_.read(buffer, size);
    total_ += n;
    if (total_ > options_.max_bytes) fail_too_large(options_);
    return n;
  }

 private:
  Reader& inner_;
  const ApplyOptions& options_;
  uint64_t total_ = 0;
};

bool first_component_is(std::string_view path, std::string_view name) {
  return path.starts_with(name) && (path.size() == name.size() || path[name.size()] == '/');
}

class LayerApplier {
 public:
  LayerApplier(const fs::path& root, const ApplyOptions& options);
  ApplyStats run(Reader& input);

 private:
  // A name in a directory, ready to be created: whatever was there is gone.
  struct Slot {
    int dir_fd;
    std::string name;
  };

  void apply(TarReader& tar, const TarEntry& entry);
  bool apply_marker(const TarEntry& entry, const std::string& path);
  void whiteout(const TarEntry& entry, const std::string& dir, std::string_view name);
  void opaque(const TarEntry& entry, const std::string& dir);
  void diff_whiteout(const TarEntry& entry, const std::string& dir, std::string_view name);
  void prune_untouched(int dir_fd, const std::string& name, const std::string& path);
  void prune_children(int dir_fd, const std::string& path);

  void write_file(TarReader& tar, const TarEntry& entry, const std::string& path);
  void make_directory(const TarEntry& entry, const std::string& path);
  void make_symlink(const TarEntry& entry, const std::string& path);
  void make_hardlink(const TarEntry& entry, const std::string& path);
  void make_special(const TarEntry& entry, const std::string& path);
  void unprivileged_device(const TarEntry& entry);
  void finish_directories();

  void write_data(TarReader& tar, const TarEntry& entry, int fd, const std::string& path);
  [[noreturn]] void refuse(const TarEntry& entry, std::string_view why) const;
  NodeAttributes attributes_of(const TarEntry& entry) const;
  int parent(const TarEntry& entry, const std::string& dir, bool create,
             std::string_view subject = "");
  Slot replace(const TarEntry& entry, const std::string& path);
  void remove_node(int dir_fd, const std::string& name, const std::string& path,
                   const struct stat& st);
  void touch(const std::string& path);

  const ApplyOptions& options_;
  bool privileged_;
  AttributeOptions attr_options_;
  UniqueFd root_fd_;
  SpaceGuard space_;
  ApplyStats stats_;
  // Paths this layer created and all their ancestors: whiteouts and opaque markers hide lower
  // content only, so these survive them wherever the markers appear in the tar.
  std::unordered_set<std::string> touched_;
  void check_lowers(const TarEntry& entry, const std::string& dir, std::string_view subject);
  // lowers_unknown: directories check_lowers found missing (made without an entry, unless one
  // comes later).
  std::vector<std::string> implied_;
  // Whether anything below this layer is to be looked at (or, lowers unknown, would be).
  bool has_lowers() const { return !lower_fds_.empty() || options_.lowers_unknown; }
  void copy_up(const TarEntry& entry, const std::string& target, std::string_view subject);
  // as_diff: the lower diffs, topmost first, and the directories already found safe in them.
  std::vector<UniqueFd> lower_fds_;
  std::unordered_set<std::string> lowers_checked_;
  // as_diff: directories to mark opaque once their attributes are set.
  std::set<std::string> opaque_dirs_;
  // Directory attributes, set deepest first once all children exist.
  std::map<std::string, NodeAttributes> pending_dirs_;
  // The last parent directory opened: entries of one directory usually come together.
  std::string cached_dir_;
  UniqueFd cached_fd_;
};

UniqueFd open_root(const fs::path& root) {
  UniqueFd fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) fail_errno("open", root.string());
  return fd;
}

LayerApplier::LayerApplier(const fs::path& root, const ApplyOptions& options)
    : options_(options),
      privileged_(options.privileged.value_or(::geteuid() == 0)),
      attr_options_{.set_owner = privileged_},
      root_fd_(open_root(root)),
      space_(root_fd_.get(), "") {  // run() names the layer and entry
  // Here, not in the initializer list: stats_ is a member constructed after attr_options_.
  attr_options_.xattrs_dropped = &stats_.xattrs_dropped;
  if (!options.as_diff) return;
  for (auto it = options.lowers.rbegin(); it != options.lowers.rend(); ++it) {
    UniqueFd fd(::open(it->c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    // Removed meanwhile (a concurrent prune): what it held cannot be checked, nor be below.
    if (!fd && errno == ENOENT) continue;
    if (!fd) fail_errno("open", it->string());
    lower_fds_.push_back(std::move(fd));
  }
}

ApplyStats LayerApplier::run(Reader& input) {
  BoundedReader bounded(input, options_);
  TarReader tar(bounded, options_.name);
  TarEntry entry;
  while (tar.next(entry)) {
    try {
      apply(tar, entry);
    } catch (const Error& e) {
      // Refusals already name the layer and entry; system errors learn them here.
      if (e.kind() == ErrorKind::kInvalidInput || e.kind() == ErrorKind::kUnsupported) throw;
      throw e.with_context(fmt::format("{}: tar entry {:?}", options_.name, entry.path));
    }
  }
  finish_directories();
  for (std::string& dir : implied_) {
    // A later entry of its own gave it attributes.
    if (!pending_dirs_.contains(dir)) stats_.implied_dirs.push_back(std::move(dir));
  }
  std::string aufs_dir(kAufsLinkDir);
  if (std::optional<struct stat> st = stat_at(root_fd_.get(), aufs_dir)) {
    remove_node(root_fd_.get(), aufs_dir, aufs_dir, *st);
  }
  return stats_;
}

void LayerApplier::apply(TarReader& tar, const TarEntry& entry) {
  std::string path = clean_entry_path(entry.path, options_.name);
  if (static_cast<size_t>(std::count(path.begin(), path.end(), '/')) >= kMaxDepth) {
    refuse(entry, fmt::format("is nested deeper than {} directories", kMaxDepth));
  }
  if (!first_component_is(path, kAufsLinkDir) && apply_marker(entry, path)) return;
  switch (entry.type) {
    case TarEntry::Type::kFile:
      return write_file(tar, entry, path);
    case TarEntry::Type::kDirectory:
      return make_directory(entry, path);
    case TarEntry::Type::kSymlink:
      return make_symlink(entry, path);
    case TarEntry::Type::kHardlink:
      return make_hardlink(entry, path);
    case TarEntry::Type::kCharDevice:
    case TarEntry::Type::kBlockDevice:
    case TarEntry::Type::kFifo:
      return make_special(entry, path);
    case TarEntry::Type::kOther:
      ++stats_.skipped;  // GNU volume labels and the like carry no file
      return;
  }
}

// Handles whiteouts, opaque markers and AUFS metadata, none of which is materialized.
bool LayerApplier::apply_marker(const TarEntry& entry, const std::string& path) {
  size_t pos = 0;
  for (;;) {
    size_t slash = path.find('/', pos);
    bool last = slash == std::string::npos;
    std::string_view component = std::string_view(path).substr(pos, slash - pos);
    if (component.starts_with(kWhiteoutPrefix)) {
      std::string dir = split_path(path).first;
      if (last && component == kOpaqueMarker) {
        ++stats_.whiteouts;
        opaque(entry, dir);
      } else if (component.starts_with(kAufsPrefix)) {
        ++stats_.skipped;
      } else if (!last) {
        refuse(entry, "lies beneath a whiteout");
      } else {
        ++stats_.whiteouts;
        whiteout(entry, dir, component.substr(kWhiteoutPrefix.size()));
      }
      return true;
    }
    if (last) return false;
    pos = slash + 1;
  }
}

void LayerApplier::whiteout(const TarEntry& entry, const std::string& dir, std::string_view name) {
  if (name == "..") refuse(entry, "escapes the root");
  if (name.empty() || name == ".") refuse(entry, "is not a valid whiteout");
  if (options_.as_diff) return diff_whiteout(entry, dir, name);
  int dir_fd = parent(entry, dir, false);
  if (dir_fd < 0) return;  // nothing below to hide
  std::string base(name);
  std::string target = join_path(dir, name);
  std::optional<struct stat> st = stat_at(dir_fd, base);
  if (!st) return;
  if (!touched_.contains(target)) {
    remove_node(dir_fd, base, target, *st);
  } else if (S_ISDIR(st->st_mode)) {
    // Created by this layer before its whiteout: keep this layer's part, hide the lower one.
    prune_untouched(dir_fd, base, target);
  }
}

// In a diff, anything of that name is this layer's own and hides the lower one already; a
// directory of this layer keeps its content but hides the lower directory's.
void LayerApplier::diff_whiteout(const TarEntry& entry, const std::string& dir,
                                 std::string_view name) {
  int dir_fd = parent(entry, dir, true);
  std::string base(name);
  std::string target = join_path(dir, name);
  std::optional<struct stat> st = stat_at(dir_fd, base);
  if (!st) {
    space_.will_write(SpaceGuard::kNodeCost);
    make_whiteout(dir_fd, base.c_str(), target);
  } else if (S_ISDIR(st->st_mode)) {
    opaque_dirs_.insert(target);
  }
}

void LayerApplier::opaque(const TarEntry& entry, const std::string& dir) {
  if (options_.as_diff) {
    if (!dir.empty()) {
      if (has_lowers()) check_lowers(entry, dir, "");
      auto [grandparent, base] = split_path(dir);
      int parent_fd = parent(entry, grandparent, true);
      std::optional<struct stat> st = stat_at(parent_fd, base);
      if (st && S_ISLNK(st->st_mode)) {
        refuse(entry, fmt::format("escapes the root through a symlink at {:?}", dir));
      }
      // This layer's own file (or whiteout) there already hides everything below.
      if (st && !S_ISDIR(st->st_mode)) return;
      if (!st) {
        space_.will_write(SpaceGuard::kNodeCost);
        if (::mkdirat(parent_fd, base.c_str(), 0755) != 0) fail_errno("mkdir", dir);
      }
    }
    opaque_dirs_.insert(dir);
    return;
  }
  if (dir.empty()) return prune_children(root_fd_.get(), "");
  auto [grandparent, base] = split_path(dir);
  int parent_fd = parent(entry, grandparent, false);
  if (parent_fd < 0) return;
  std::optional<struct stat> st = stat_at(parent_fd, base);
  if (st && S_ISLNK(st->st_mode)) {
    refuse(entry, fmt::format("escapes the root through a symlink at {:?}", dir));
  }
  if (st && S_ISDIR(st->st_mode)) prune_untouched(parent_fd, base, dir);
}

void LayerApplier::prune_untouched(int dir_fd, const std::string& name, const std::string& path) {
  UniqueFd fd = open_subdir(dir_fd, name);
  if (!fd) fail_errno("open directory", path);
  prune_children(fd.get(), path);
}

void LayerApplier::prune_children(int dir_fd, const std::string& path) {
  for (const std::string& child : list_dir(dir_fd)) {
    std::string child_path = join_path(path, child);
    std::optional<struct stat> st = stat_at(dir_fd, child);
    if (!st) continue;
    if (!touched_.contains(child_path)) {
      remove_node(dir_fd, child, child_path, *st);
    } else if (S_ISDIR(st->st_mode)) {
      prune_untouched(dir_fd, child, child_path);
    }
  }
}

void LayerApplier::write_file(TarReader& tar, const TarEntry& entry, const std::string& path) {
  NodeAttributes attrs = attributes_of(entry);
  Slot slot = replace(entry, path);
  // O_EXCL | O_NOFOLLOW: the name was just cleared, so this creates a new inode or fails.
  UniqueFd fd(::openat(slot.dir_fd, slot.name.c_str(),
                       O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd) fail_errno("create", path);
  write_data(tar, entry, fd.get(), path);
  set_attributes(slot.dir_fd, slot.name, fd.get(), false, attrs, attr_options_);
  ++stats_.files;
  touch(path);
}

// Writes the blocks libarchive gives where they belong, so the holes of a sparse file stay
// holes: a 20 GB sparse file costs the disk only its data.
void LayerApplier::write_data(TarReader& tar, const TarEntry& entry, int fd,
                              const std::string& path) {
  space_.will_write(SpaceGuard::kNodeCost);
  uint64_t end = 0;
  TarReader::Block block;
  while (tar.read_block(block)) {
    stats_.bytes += block.size;
    if (stats_.bytes > options_.max_bytes) fail_too_large(options_);
    space_.will_write(block.size);
    for (size_t done = 0; done < block.size;) {
      ssize_t n = ::pwrite(fd, block.data + done, block.size - done,
                           static_cast<off_t>(block.offset + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) fail_errno("write", path);
      done += static_cast<size_t>(n);
    }
    end = std::max(end, block.offset + block.size);
  }
  // A trailing hole: the size says where the file ends.
  if (entry.size > end) {
    if (entry.size > static_cast<uint64_t>(std::numeric_limits<off_t>::max())) {
      refuse(entry, fmt::format("is larger than a file can be ({} bytes)", entry.size));
    }
    if (::ftruncate(fd, static_cast<off_t>(entry.size)) != 0) fail_errno("set the size of", path);
  }
}

void LayerApplier::make_directory(const TarEntry& entry, const std::string& path) {
  NodeAttributes attrs = attributes_of(entry);
  if (!path.empty()) {
    auto [dir, base] = split_path(path);
    int dir_fd = parent(entry, dir, true);
    std::optional<struct stat> st = stat_at(dir_fd, base);
    if (!st || !S_ISDIR(st->st_mode)) {  // an existing directory only gets new attributes
      if (st) remove_node(dir_fd, base, path, *st);
      // In a diff, what it replaces (a whiteout, a file) hid the lower directory: so does it.
      if (st && options_.as_diff) opaque_dirs_.insert(path);
      space_.will_write(SpaceGuard::kNodeCost);
      // Owner-writable until finish_directories() sets the real mode.
      if (::mkdirat(dir_fd, base.c_str(), 0700) != 0) fail_errno("mkdir", path);
    }
  }
  pending_dirs_[path] = std::move(attrs);
  ++stats_.dirs;
  touch(path);
}

void LayerApplier::make_symlink(const TarEntry& entry, const std::string& path) {
  if (entry.link_target.empty()) refuse(entry, "is a symlink without a target");
  NodeAttributes attrs = attributes_of(entry);
  Slot slot = replace(entry, path);
  space_.will_write(SpaceGuard::kNodeCost);
  // The target is stored as is: it is data, and nothing here ever follows a symlink.
  if (::symlinkat(entry.link_target.c_str(), slot.dir_fd, slot.name.c_str()) != 0) {
    fail_errno("create symlink", path);
  }
  set_attributes(slot.dir_fd, slot.name, -1, true, attrs, attr_options_);
  ++stats_.links;
  touch(path);
}

void LayerApplier::make_hardlink(const TarEntry& entry, const std::string& path) {
  std::string target;
  try {
    target = clean_entry_path(entry.link_target, options_.name);
  } catch (const Error&) {
    refuse(entry, fmt::format("links to {:?}, which escapes the root", entry.link_target));
  }
  if (target.empty()) refuse(entry, "links to the root directory");
  if (target == path) refuse(entry, "links to itself");
  std::string subject = fmt::format("links to {:?}, which ", entry.link_target);
  auto [target_dir, target_name] = split_path(target);
  // A diff links to a file of a lower layer through a copy of it in this one, as overlayfs
  // copies a file up before it links to it.
  if (has_lowers()) {
    int here = parent(entry, target_dir, false, subject);
    if (here < 0 || !stat_at(here, target_name)) {
      if (options_.lowers_unknown) {
        ++stats_.needs_lowers;  // the link would go to a copy of a lower file
        return;
      }
      copy_up(entry, target, subject);
    }
  }
  int found = parent(entry, target_dir, false, subject);
  // A descriptor of our own: opening the entry's parent may replace the cached one.
  UniqueFd target_fd(found < 0 ? -1 : ::fcntl(found, F_DUPFD_CLOEXEC, 0));
  if (found >= 0 && !target_fd) fail_errno("duplicate descriptor of", target_dir);
  std::optional<struct stat> st;
  if (target_fd) st = stat_at(target_fd.get(), target_name);
  if (st && options_.as_diff && is_whiteout(*st)) st.reset();  // removed by this layer
  if (!st) refuse(entry, fmt::format("links to {:?}, which does not exist", entry.link_target));
  if (S_ISDIR(st->st_mode)) {
    refuse(entry, fmt::format("links to {:?}, which is a directory", entry.link_target));
  }
  Slot slot = replace(entry, path);
  // Flags 0: a target that is itself a symlink is linked, not followed.
  if (::linkat(target_fd.get(), target_name.c_str(), slot.dir_fd, slot.name.c_str(), 0) != 0) {
    fail_errno("link to " + target + " from", path);
  }
  ++stats_.links;
  touch(path);
}

void LayerApplier::make_special(const TarEntry& entry, const std::string& path) {
  bool fifo = entry.type == TarEntry::Type::kFifo;
  if (!fifo && !privileged_) return unprivileged_device(entry);
  NodeAttributes attrs = attributes_of(entry);
  Slot slot = replace(entry, path);
  space_.will_write(SpaceGuard::kNodeCost);
  mode_t kind = fifo ? S_IFIFO : entry.type == TarEntry::Type::kCharDevice ? S_IFCHR : S_IFBLK;
  dev_t device = fifo ? 0 : makedev(entry.dev_major, entry.dev_minor);
  if (::mknodat(slot.dir_fd, slot.name.c_str(), kind | 0600, device) != 0) {
    if (errno == EPERM && !fifo) return unprivileged_device(entry);  // root without CAP_MKNOD
    fail_errno("create node", path);
  }
  set_attributes(slot.dir_fd, slot.name, -1, false, attrs, attr_options_);
  ++stats_.files;
  touch(path);
}

void LayerApplier::unprivileged_device(const TarEntry& entry) {
  if (options_.unprivileged_devices == UnprivilegedDevices::kSkip) {
    ++stats_.skipped;
    return;
  }
  fail(ErrorKind::kUnsupported,
       fmt::format("{}: tar entry {:?} is a device node, which only root can create", options_.name,
                   entry.path));
}

void LayerApplier::finish_directories() {
  // Reverse lexical order visits "a/b" before its ancestor "a".
  for (auto it = pending_dirs_.rbegin(); it != pending_dirs_.rend(); ++it) {
    const auto& [path, attrs] = *it;
    if (path.empty()) {
      set_attributes(root_fd_.get(), ".", root_fd_.get(), false, attrs, attr_options_);
      continue;
    }
    auto [dir, base] = split_path(path);
    // A later entry may have replaced the directory or an ancestor: then there is nothing to do.
    WalkResult parent_dir = open_dir_beneath(root_fd_.get(), dir, false);
    if (parent_dir.status != WalkStatus::kOk) continue;
    std::optional<struct stat> st = stat_at(parent_dir.fd.get(), base);
    if (!st || !S_ISDIR(st->st_mode)) continue;
    UniqueFd node = open_subdir(parent_dir.fd.get(), base);
    set_attributes(parent_dir.fd.get(), base, node.get(), false, attrs, attr_options_);
  }
  for (const std::string& path : opaque_dirs_) {
    WalkResult dir = open_dir_beneath(root_fd_.get(), path, false);
    if (dir.status != WalkStatus::kOk) continue;  // replaced by a later entry
    UniqueFd node = open_subdir(dir.fd.get(), "");
    if (!node) fail_errno("open directory", path);
    mark_opaque(node.get(), privileged_, path);
  }
}

void LayerApplier::refuse(const TarEntry& entry, std::string_view why) const {
  fail(ErrorKind::kInvalidInput,
       fmt::format("{}: tar entry {:?} {}", options_.name, entry.path, why));
}

NodeAttributes LayerApplier::attributes_of(const TarEntry& entry) const {
  if (entry.uid < 0 || entry.uid > kMaxId || entry.gid < 0 || entry.gid > kMaxId) {
    refuse(entry, fmt::format("has an invalid owner {}:{}", entry.uid, entry.gid));
  }
  NodeAttributes attrs;
  attrs.mode = entry.mode & 07777;
  attrs.uid = static_cast<uint32_t>(entry.uid);
  attrs.gid = static_cast<uint32_t>(entry.gid);
  attrs.mtime.tv_sec = static_cast<time_t>(entry.mtime_sec);
  attrs.mtime.tv_nsec = std::clamp<int64_t>(entry.mtime_nsec, 0, 999999999);
  attrs.atime = attrs.mtime;  // TarEntry carries no access time
  attrs.xattrs = entry.xattrs;
  return attrs;
}

// The directory `dir` beneath the root, or -1 when it is missing and not to be created. The
// descriptor belongs to the cache: valid until the next call or removal beneath it.
int LayerApplier::parent(const TarEntry& entry, const std::string& dir, bool create,
                         std::string_view subject) {
  if (cached_fd_ && dir == cached_dir_) return cached_fd_.get();
  if (create && has_lowers()) check_lowers(entry, dir, subject);
  WalkResult walk = open_dir_beneath(root_fd_.get(), dir, create);
  switch (walk.status) {
    case WalkStatus::kOk:
      cached_dir_ = dir;
      cached_fd_ = std::move(walk.fd);
      return cached_fd_.get();
    case WalkStatus::kMissing:
      return -1;
    case WalkStatus::kSymlink:
    case WalkStatus::kLoop:  // only resolve_dir_in_root() gives it
      refuse(entry,
             fmt::format("{}escapes the root through a symlink at {:?}", subject, walk.stopped_at));
    case WalkStatus::kNotDirectory:
      refuse(entry, fmt::format("{}lies beneath {:?}, which is not a directory", subject,
                                walk.stopped_at));
  }
  return -1;
}

// Copies `target` from the topmost lower diff that holds it into this one (nothing when none
// does, or when it is a directory: the caller refuses the link then).
void LayerApplier::copy_up(const TarEntry& entry, const std::string& target,
                           std::string_view subject) {
  auto [dir, base] = split_path(target);
  check_lowers(entry, dir, subject);
  for (const UniqueFd& lower : lower_fds_) {
    WalkResult walk = open_dir_beneath(lower.get(), dir, false);
    if (walk.status != WalkStatus::kOk) continue;
    std::optional<struct stat> st = stat_at(walk.fd.get(), base);
    if (!st) continue;
    if (is_whiteout(*st) || S_ISDIR(st->st_mode)) return;
    int to_dir = parent(entry, dir, true, subject);
    space_.will_write(SpaceGuard::kNodeCost + static_cast<uint64_t>(st->st_size));
    if (S_ISREG(st->st_mode)) {
      UniqueFd from(::openat(walk.fd.get(), base.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
      if (!from) fail_errno("open the lower file", target);
      UniqueFd to(::openat(to_dir, base.c_str(),
                           O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
      if (!to) fail_errno("create", target);
      std::vector<char> buffer(kIoBufferSize);
      for (;;) {
        ssize_t n = ::read(from.get(), buffer.data(), buffer.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail_errno("read the lower file", target);
        if (n == 0) break;
        for (ssize_t done = 0; done < n;) {
          ssize_t w = ::write(to.get(), buffer.data() + done, static_cast<size_t>(n - done));
          if (w < 0 && errno == EINTR) continue;
          if (w <= 0) fail_errno("write", target);
          done += w;
        }
      }
      set_attributes(to_dir, base, to.get(), false, read_attributes(*st, from.get()),
                     attr_options_);
    } else if (S_ISLNK(st->st_mode)) {
      std::string link(static_cast<size_t>(st->st_size) + 1, '\0');
      ssize_t n = ::readlinkat(walk.fd.get(), base.c_str(), link.data(), link.size());
      if (n < 0 || static_cast<size_t>(n) >= link.size()) fail_errno("read symlink", target);
      link.resize(static_cast<size_t>(n));
      if (::symlinkat(link.c_str(), to_dir, base.c_str()) != 0) fail_errno("symlink", target);
      set_attributes(to_dir, base, -1, true, read_attributes(*st, -1), attr_options_);
    } else {
      if (::mknodat(to_dir, base.c_str(), (st->st_mode & S_IFMT) | 0600, st->st_rdev) != 0) {
        fail_errno("create node", target);
      }
      set_attributes(to_dir, base, -1, false, read_attributes(*st, -1), attr_options_);
    }
    return;
  }
}

// Each directory on the way to `dir` that this layer does not hold itself is what the topmost
// lower diff holding that path has there: a symlink or a file refuses the entry; a directory
// gives its attributes to the one made here.
void LayerApplier::check_lowers(const TarEntry& entry, const std::string& dir,
                                std::string_view subject) {
  size_t pos = 0;
  while (!dir.empty()) {
    size_t slash = dir.find('/', pos);
    std::string prefix = dir.substr(0, slash);
    if (!lowers_checked_.contains(prefix) &&
        open_dir_beneath(root_fd_.get(), prefix, false).status == WalkStatus::kMissing) {
      if (options_.lowers_unknown) implied_.push_back(prefix);  // made here without an entry
      auto [above, base] = split_path(prefix);
      for (const UniqueFd& lower : lower_fds_) {
        WalkResult walk = open_dir_beneath(lower.get(), above, false);
        if (walk.status != WalkStatus::kOk) continue;
        std::optional<struct stat> st = stat_at(walk.fd.get(), base);
        if (!st) continue;
        if (is_whiteout(*st)) break;
        if (S_ISLNK(st->st_mode)) {
          refuse(entry,
                 fmt::format("{}escapes the root through a symlink at {:?}", subject, prefix));
        }
        if (!S_ISDIR(st->st_mode)) {
          refuse(entry,
                 fmt::format("{}lies beneath {:?}, which is not a directory", subject, prefix));
        }
        // Made here without an entry of its own: it keeps the lower directory's attributes
        // (an entry of this layer for it, later, sets its own).
        UniqueFd sub = open_subdir(walk.fd.get(), base);
        if (!sub) fail_errno("open the lower directory", prefix);
        pending_dirs_.try_emplace(prefix, read_attributes(*st, sub.get()));
        break;
      }
    }
    lowers_checked_.insert(prefix);
    if (slash == std::string::npos) break;
    pos = slash + 1;
  }
}

LayerApplier::Slot LayerApplier::replace(const TarEntry& entry, const std::string& path) {
  if (path.empty()) refuse(entry, "would replace the root directory");
  auto [dir, base] = split_path(path);
  int dir_fd = parent(entry, dir, true);
  if (std::optional<struct stat> st = stat_at(dir_fd, base)) remove_node(dir_fd, base, path, *st);
  return Slot{dir_fd, base};
}

void LayerApplier::remove_node(int dir_fd, const std::string& name, const std::string& path,
                               const struct stat& st) {
  if (!S_ISDIR(st.st_mode)) {
    if (::unlinkat(dir_fd, name.c_str(), 0) != 0) fail_errno("remove", path);
    return;
  }
  remove_tree_at(dir_fd, name);
  // The cached directory may have been inside; `dir_fd` itself never is.
  if (cached_fd_ && (cached_dir_ == path || cached_dir_.starts_with(path + "/"))) {
    cached_fd_.reset();
  }
}

void LayerApplier::touch(const std::string& path) {
  std::string_view rest = path;
  // Ancestors go in with their first descendant, so stop at the first one already there.
  while (!rest.empty() && touched_.emplace(rest).second) {
    size_t slash = rest.rfind('/');
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(0, slash);
  }
}

}  // namespace

ApplyStats apply_layer(Reader& uncompressed_tar, const fs::path& root,
                       const ApplyOptions& options) {
  LayerApplier applier(root, options);
  return applier.run(uncompressed_tar);
}

bool apply_implied_dirs(const fs::path& root, const std::vector<std::string>& implied_dirs,
                        const std::vector<fs::path>& lowers, const ApplyOptions& options) {
  if (implied_dirs.empty() || lowers.empty()) return true;
  UniqueFd root_fd = open_root(root);
  std::vector<UniqueFd> lower_fds;  // topmost first, as check_lowers reads them
  for (auto it = lowers.rbegin(); it != lowers.rend(); ++it) lower_fds.push_back(open_root(*it));
  bool privileged = options.privileged.value_or(::geteuid() == 0);
  uint64_t dropped = 0;
  AttributeOptions attr_options{.set_owner = privileged, .xattrs_dropped = &dropped};
  for (const std::string& path : implied_dirs) {
    auto [above, base] = split_path(path);
    std::optional<NodeAttributes> attrs;
    for (const UniqueFd& lower : lower_fds) {
      WalkResult walk = open_dir_beneath(lower.get(), above, false);
      if (walk.status != WalkStatus::kOk) continue;
      std::optional<struct stat> st = stat_at(walk.fd.get(), base);
      if (!st) continue;
      if (is_whiteout(*st)) break;
      if (!S_ISDIR(st->st_mode)) return false;  // a symlink or a file: the entry is refused
      UniqueFd sub = open_subdir(walk.fd.get(), base);
      if (!sub) fail_errno("open the lower directory", path);
      attrs = read_attributes(*st, sub.get());
      break;
    }
    if (!attrs) continue;
    WalkResult parent = open_dir_beneath(root_fd.get(), above, false);
    if (parent.status != WalkStatus::kOk) continue;  // replaced by a later entry
    std::optional<struct stat> st = stat_at(parent.fd.get(), base);
    if (!st || !S_ISDIR(st->st_mode)) continue;
    UniqueFd node = open_subdir(parent.fd.get(), base);
    if (!node) fail_errno("open directory", path);
    set_attributes(parent.fd.get(), base, node.get(), false, *attrs, attr_options);
  }
  return true;
}

}  // namespace schicht::snapshot
