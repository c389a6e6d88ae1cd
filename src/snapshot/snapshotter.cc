#include "snapshot/snapshotter.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <optional>
#include <string_view>

#include <fmt/format.h>

#include "core/error.h"
#include "core/kill_point.h"
#include "snapshot/disk_space.h"
#include "snapshot/safe_tree.h"
#include "snapshot/tree_copy.h"

namespace schicht::snapshot {
namespace {

constexpr std::string_view kTempPrefix = ".tmp-";
constexpr std::string_view kLockPrefix = ".lock-";
// Temp directories of layers unpacked before their chain ID is known: .tmp-unpack-XXXXXX. No
// snapshot lock has that name, so stale() judges them by their own flock alone.
constexpr std::string_view kUnpackName = "unpack";
// Present in a snapshots directory whose snapshots are diffs (snapshotter.h).
constexpr std::string_view kFormatFile = ".format";
constexpr std::string_view kFormat = "diff 1\n";
constexpr int kDirFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

UniqueFd open_dir(const fs::path& path) {
  UniqueFd fd(::open(path.c_str(), kDirFlags));
  if (!fd) fail_errno("open directory", path.string());
  return fd;
}

// Returns false when `nonblocking` and someone else holds the lock.
bool lock_exclusive(int fd, const fs::path& path, bool nonblocking) {
  while (::flock(fd, LOCK_EX | (nonblocking ? LOCK_NB : 0)) != 0) {
    if (errno == EWOULDBLOCK && nonblocking) return false;
    if (errno != EINTR) fail_errno("lock", path.string());
  }
  return true;
}

// A .tmp-* directory in the snapshots dir, flock()ed for as long as this object lives, and
// deleted on destruction unless keep() was called.
class ScratchDir {
 public:
  // A new empty directory for snapshot `chain_hex`, whose lock the caller holds.
  ScratchDir(const fs::path& parent, std::string_view chain_hex)
      : parent_(parent), chain_hex_(chain_hex) {
    for (;;) {
      make_placeholder();
      fd_ = open_dir(path_);
      lock_exclusive(fd_.get(), path_, false);
      // remove_stale() deletes unlocked temp dirs; if it got this one first, take another.
      struct stat st;
      if (::fstat(fd_.get(), &st) != 0) fail_errno("stat", path_.string());
      if (st.st_nlink > 0) return;
    }
  }

  // Takes over `existing` (snapshot `chain_hex` in `parent`, whose lock the caller holds) by
  // renaming it to a fresh temp name.
  ScratchDir(const fs::path& parent, std::string_view chain_hex, const fs::path& existing)
      : parent_(parent), chain_hex_(chain_hex) {
    fd_ = open_dir(existing);
    lock_exclusive(fd_.get(), existing, false);
    make_placeholder();
    // rename() replaces the empty placeholder (or recreates the name if a cleaner took it).
    if (::rename(existing.c_str(), path_.c_str()) != 0) fail_errno("rename", existing.string());
  }

  ~ScratchDir() {
    if (kept_) return;
    ignore_error("a leftover temp dir is reported by stale() and removed later", [&] {
      UniqueFd parent = open_dir(parent_);
      remove_tree_at(parent.get(), path_.filename().string());
    });
  }

  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const fs::path& path() const { return path_; }
  int fd() const { return fd_.get(); }
  void keep() { kept_ = true; }

 private:
  void make_placeholder() {
    std::string tmpl = (parent_ / fmt::format("{}{}-XXXXXX", kTempPrefix, chain_hex_)).string();
    if (::mkdtemp(tmpl.data()) == nullptr) {
      fail_errno("create temporary directory in", parent_.string());
    }
    path_ = tmpl;
  }

  fs::path parent_;
  std::string chain_hex_;
  fs::path path_;
  UniqueFd fd_;
  bool kept_ = false;
};

void require_sha256(const Digest& digest) {
  if (digest.algorithm() != DigestAlgorithm::kSha256) {
    fail(ErrorKind::kUnsupported,
         fmt::format("snapshot of {}: only sha256 layer digests are supported", digest.str()));
  }
}

// A built snapshot made durable and renamed into place as `target`: without the sync a crash
// could leave a complete-looking snapshot with empty files in it. Its size is recorded for
// `system df` before it appears (a snapshot never changes).
void publish(ScratchDir& scratch, const fs::path& size_file, const fs::path& target,
             const fs::path& dir) {
  if (::syncfs(scratch.fd()) != 0) fail_errno("sync", scratch.path().string());
  write_file_atomic(size_file, std::to_string(disk_usage(scratch.fd())));
  kill_point("snapshot-before-rename");
  if (::rename(scratch.path().c_str(), target.c_str()) != 0) {
    fail_errno("rename to", target.string());
  }
  scratch.keep();
  fsync_dir(dir);
}

}  // namespace

struct UnpackedLayer::State {
  std::unique_ptr<ScratchDir> scratch;
  ApplyStats stats;
  bool complete = false;  // applied to the tar's end without an error
  std::optional<Digest> diff_id;
};

UnpackedLayer::UnpackedLayer() : state_(std::make_unique<State>()) {}
UnpackedLayer::~UnpackedLayer() = default;

bool UnpackedLayer::complete() const {
  return state_->complete;
}

bool UnpackedLayer::usable() const {
  return state_->complete && state_->stats.needs_lowers == 0;
}

const ApplyStats& UnpackedLayer::stats() const {
  return state_->stats;
}

void UnpackedLayer::set_diff_id(const Digest& diff_id) {
  state_->diff_id = diff_id;
}

Snapshotter::Snapshotter(fs::path snapshots_dir, ApplyOptions options)
    : dir_(std::move(snapshots_dir)), options_(std::move(options)) {
  make_dirs(dir_, 0700);
}

fs::path Snapshotter::path_of(const Digest& chain_id) const {
  require_sha256(chain_id);
  return dir_ / std::string(chain_id.hex());
}

fs::path Snapshotter::lock_path(const Digest& chain_id) const {
  require_sha256(chain_id);
  return dir_ / (std::string(kLockPrefix) + std::string(chain_id.hex()));
}

bool Snapshotter::exists(const Digest& chain_id) const {
  std::error_code ec;
  return fs::is_directory(fs::symlink_status(path_of(chain_id), ec));
}

HeldSnapshot Snapshotter::prepare_held(const std::vector<LayerSource>& layers) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    std::vector<fs::path> paths = prepare(layers);
    std::vector<FileLock> locks;
    bool complete = true;
    for (const fs::path& path : paths) {
      locks.emplace_back(dir_ / (std::string(kLockPrefix) + path.filename().string()),
                         FileLock::Mode::kShared);
      // Removed between prepare and the lock: build it again.
      if (!fs::is_directory(path)) complete = false;
    }
    if (complete) return HeldSnapshot(std::move(paths), std::move(locks));
  }
  fail(ErrorKind::kConflict,
       fmt::format("snapshot {}: kept being removed while it was prepared", dir_.string()));
}

std::vector<fs::path> Snapshotter::prepare(const std::vector<LayerSource>& layers) {
  if (layers.empty()) fail(ErrorKind::kInvalidInput, "cannot prepare a snapshot without layers");
  if (old_format()) migrate();
  std::vector<fs::path> paths;
  std::optional<Digest> chain;
  for (const LayerSource& layer : layers) {
    require_sha256(layer.diff_id);
    chain = chain ? chain_id(*chain, layer.diff_id) : layer.diff_id;
    if (!exists(*chain)) build(*chain, layer, paths);
    paths.push_back(path_of(*chain));
  }
  return paths;
}

// Deletes the full-tree snapshots of older versions, once, and marks the directory as holding
// diffs. Whoever finds the marker missing takes the lock, so no one builds a diff snapshot that
// a migration still running could take for an old one.
bool Snapshotter::old_format() const {
  return !fs::exists(dir_ / kFormatFile);
}

void Snapshotter::migrate() {
  FileLock lock(dir_ / (std::string(kLockPrefix) + "format"), FileLock::Mode::kExclusive);
  if (fs::exists(dir_ / kFormatFile)) return;
  for (const Digest& old : list()) remove(old);
  write_file_atomic(dir_ / kFormatFile, kFormat);
}

void Snapshotter::build(const Digest& chain_id, const LayerSource& layer,
                        const std::vector<fs::path>& lowers) {
  FileLock lock(lock_path(chain_id), FileLock::Mode::kExclusive);
  if (exists(chain_id)) return;  // built by another process while we waited
  ScratchDir scratch(dir_, chain_id.hex());
  SpaceGuard(scratch.fd(), "layer " + layer.diff_id.str())
      .require(layer.uncompressed_size, "the uncompressed layer");
  if (::fchmod(scratch.fd(), 0755) != 0) {  // mkdtemp made it 0700
    fail_errno("chmod", scratch.path().string());
  }
  apply_verified(layer, scratch.path(), lowers);
  publish(scratch, size_path(chain_id), path_of(chain_id), dir_);
}

void Snapshotter::apply_verified(const LayerSource& layer, const fs::path& root,
                                 const std::vector<fs::path>& lowers) const {
  ApplyOptions options = options_;
  options.name = "layer " + layer.diff_id.str();
  options.as_diff = true;
  options.lowers = lowers;
  std::unique_ptr<Reader> tar = layer.open_uncompressed();
  if (tar == nullptr) fail(ErrorKind::kInternal, options.name + ": no uncompressed stream");
  HashingReader hashing(*tar, layer.diff_id.algorithm());
  apply_layer(hashing, root, options);
  // The diff ID covers whatever follows the tar's end blocks too.
  std::vector<char> rest(64 * 1024);
  while (hashing.read(rest.data(), rest.size()) > 0) {
    if (hashing.count() > options.max_bytes) {
      fail(ErrorKind::kInvalidInput,
           fmt::format("{}: the uncompressed layer exceeds the limit of {} bytes", options.name,
                       options.max_bytes));
    }
  }
  Digest actual = hashing.finish();
  if (actual != layer.diff_id) {
    fail(ErrorKind::kIntegrity,
         fmt::format("{}: uncompressed content has digest {}", options.name, actual.str()));
  }
}

std::unique_ptr<UnpackedLayer> Snapshotter::unpack(Reader& uncompressed_tar,
                                                   std::string_view name) {
  auto layer = std::make_unique<UnpackedLayer>();
  UnpackedLayer::State& state = *layer->state_;
  ignore_error(
      "a layer that cannot be unpacked early is built from its blob when it is used, which "
      "reports why (the blob itself is checked where it is stored)",
      [&] {
        if (old_format()) migrate();
        state.scratch = std::make_unique<ScratchDir>(dir_, kUnpackName);
        if (::fchmod(state.scratch->fd(), 0755) != 0) {  // mkdtemp made it 0700
          fail_errno("chmod", state.scratch->path().string());
        }
        ApplyOptions options = options_;
        options.name = std::string(name);
        options.as_diff = true;
        options.lowers_unknown = true;
        state.stats = apply_layer(uncompressed_tar, state.scratch->path(), options);
        state.complete = true;
      });
  return layer;
}

bool Snapshotter::place(const Digest& chain_id, const Digest& diff_id, UnpackedLayer& layer,
                        const std::vector<fs::path>& lowers) {
  UnpackedLayer::State& state = *layer.state_;
  // Whatever happens, the temp dir goes unless it was renamed into place.
  std::unique_ptr<ScratchDir> scratch_owner = std::move(state.scratch);
  if (!layer.usable() || !scratch_owner || state.diff_id != diff_id) return false;
  const std::vector<std::string>& implied = state.stats.implied_dirs;
  if (!implied.empty() && !std::all_of(lowers.begin(), lowers.end(), [](const fs::path& lower) {
        std::error_code ec;
        return fs::is_directory(fs::symlink_status(lower, ec));
      })) {
    return false;
  }
  FileLock lock(lock_path(chain_id), FileLock::Mode::kExclusive);
  if (exists(chain_id)) return false;
  ScratchDir& scratch = *scratch_owner;
  if (!apply_implied_dirs(scratch.path(), implied, lowers, options_)) return false;
  publish(scratch, size_path(chain_id), path_of(chain_id), dir_);
  return true;
}

size_t Snapshotter::remove_stale_unpacked() {
  size_t removed = 0;
  UniqueFd parent = open_dir(dir_);
  std::string prefix = fmt::format("{}{}-", kTempPrefix, kUnpackName);
  for (const fs::path& path : stale()) {
    if (!path.filename().string().starts_with(prefix)) continue;
    UniqueFd fd(::open(path.c_str(), kDirFlags));
    if (!fd || !lock_exclusive(fd.get(), path, true)) continue;
    remove_tree_at(parent.get(), path.filename().string());
    ++removed;
  }
  return removed;
}

uint64_t Snapshotter::remove(const Digest& chain_id) {
  FileLock lock(lock_path(chain_id), FileLock::Mode::kExclusive);
  if (!exists(chain_id)) return 0;
  // Out of sight first: a crash while deleting leaves a stale temp dir, not half a snapshot.
  ScratchDir trash(dir_, chain_id.hex(), path_of(chain_id));
  fsync_dir(dir_);
  kill_point("snapshot-in-trash");
  uint64_t freed = disk_usage(trash.fd());  // the destructor deletes it
  struct stat st;
  if (::lstat(size_path(chain_id).c_str(), &st) == 0) {
    freed += static_cast<uint64_t>(st.st_blocks) * 512;
    std::error_code ec;
    fs::remove(size_path(chain_id), ec);  // a leftover is ignored and overwritten by a rebuild
  }
  return freed;
}

fs::path Snapshotter::size_path(const Digest& chain_id) const {
  require_sha256(chain_id);
  return dir_ / (".size-" + std::string(chain_id.hex()));
}

uint64_t Snapshotter::bytes(const Digest& chain_id) const {
  if (!exists(chain_id)) return 0;
  if (!old_format()) {
    struct stat st;
    if (::lstat(size_path(chain_id).c_str(), &st) == 0) {
      std::string text = read_file(size_path(chain_id));
      char* end = nullptr;
      unsigned long long value = std::strtoull(text.c_str(), &end, 10);
      // The record takes its own block.
      if (end != text.c_str() && *end == '\0')
        return value + static_cast<uint64_t>(st.st_blocks) * 512;
    }
  }
  UniqueFd fd(::open(path_of(chain_id).c_str(), kDirFlags));
  if (!fd && errno == ENOENT) return 0;  // removed meanwhile
  if (!fd) fail_errno("open directory", path_of(chain_id).string());
  return disk_usage(fd.get());
}

std::vector<Digest> Snapshotter::list() const {
  std::vector<Digest> out;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir_)) {
    std::string name = entry.path().filename().string();
    if (Digest::is_sha256_hex(name) && entry.is_directory() && !entry.is_symlink()) {
      out.push_back(Digest::from_sha256_hex(name));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Whether the lock of the snapshot a temp dir named .tmp-<hex>-XXXXXX belongs to is held: its
// builder or remover is alive (it may not have locked the directory itself yet).
bool Snapshotter::owner_active(const std::string& temp_name) const {
  std::string_view rest = std::string_view(temp_name).substr(kTempPrefix.size());
  size_t dash = rest.find('-');
  // Names without a snapshot (older versions) are judged by their own lock alone.
  if (dash == std::string_view::npos || !Digest::is_sha256_hex(rest.substr(0, dash))) {
    return false;
  }
  fs::path lock = dir_ / (std::string(kLockPrefix) + std::string(rest.substr(0, dash)));
  UniqueFd fd(::open(lock.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return false;  // never locked: no owner
  return !lock_exclusive(fd.get(), lock, true);
}

std::vector<fs::path> Snapshotter::stale() const {
  std::vector<fs::path> out;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir_)) {
    std::string name = entry.path().filename().string();
    if (!name.starts_with(kTempPrefix) || owner_active(name)) continue;
    UniqueFd fd(::open(entry.path().c_str(), kDirFlags));
    // Gone meanwhile, or locked: not stale. The probe's lock ends when `fd` closes.
    if (fd && lock_exclusive(fd.get(), entry.path(), true)) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

size_t Snapshotter::remove_stale() {
  size_t removed = 0;
  UniqueFd parent = open_dir(dir_);
  for (const fs::path& path : stale()) {
    UniqueFd fd(::open(path.c_str(), kDirFlags));
    // Hold the lock while deleting, so a builder that just created this name sees it vanish.
    if (!fd || !lock_exclusive(fd.get(), path, true)) continue;
    remove_tree_at(parent.get(), path.filename().string());
    ++removed;
  }
  return removed;
}

}  // namespace schicht::snapshot
