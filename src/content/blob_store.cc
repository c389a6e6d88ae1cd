#include "content/blob_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <random>

#include <fmt/format.h>

#include "core/error.h"
#include "core/kill_point.h"

namespace schicht {

Ingest::Ingest(const BlobStore& store, UniqueFd fd, fs::path temp_path, std::string name)
    : store_(store),
      fd_(std::move(fd)),
      temp_path_(std::move(temp_path)),
      name_(std::move(name)),
      file_(fd_.get(), temp_path_.string()) {}

Ingest::~Ingest() {
  if (!committed_) ::unlink(temp_path_.c_str());
}

void Ingest::write(const void* data, size_t size) {
  if (digest_) fail(ErrorKind::kInternal, fmt::format("{}: write after digest", name_));
  hasher_.write(data, size);
  // Small writes (a download delivers 16 KB at a time) are gathered into large ones.
  if (pending_.size() + size > kWriteBuffer) write_pending();
  if (size >= kWriteBuffer) {
    write_to_file(data, size);
  } else {
    pending_.append(static_cast<const char*>(data), size);
  }
}

void Ingest::write_pending() {
  if (pending_.empty()) return;
  write_to_file(pending_.data(), pending_.size());
  pending_.clear();
}

void Ingest::write_to_file(const void* data, size_t size) {
  file_.write(data, size);
  in_file_ += size;
  // Starts writing back what is complete, without waiting for it, so the fsync of commit finds
  // little left to flush (a 100 MB layer's fsync took 0.1 s at the end of a pull otherwise).
  if (in_file_ - flushed_ >= kWritebackChunk) {
    // Advisory: where the file system cannot, the fsync of commit still does it all.
    (void)::sync_file_range(fd_.get(), static_cast<off_t>(flushed_),
                            static_cast<off_t>(in_file_ - flushed_), SYNC_FILE_RANGE_WRITE);
    flushed_ = in_file_;
  }
}

const Digest& Ingest::digest() {
  if (!digest_) digest_ = hasher_.finish();
  return *digest_;
}

Digest Ingest::commit(const std::optional<Digest>& expected_digest,
                      std::optional<uint64_t> expected_size) {
  if (expected_size && *expected_size != hasher_.count()) {
    fail(ErrorKind::kIntegrity, fmt::format("{}: size mismatch: expected {} bytes, got {}", name_,
                                            *expected_size, hasher_.count()));
  }
  Digest digest = this->digest();
  if (expected_digest && *expected_digest != digest) {
    fail(ErrorKind::kIntegrity, fmt::format("{}: digest mismatch: expected {}, got {}", name_,
                                            expected_digest->str(), digest.str()));
  }
  prepare_commit();
  fsync_fd(fd_.get(), temp_path_);
  fs::path target = store_.path_of(digest);
  kill_point("blob-before-rename");
  if (::rename(temp_path_.c_str(), target.c_str()) != 0) fail_errno("rename to", target.string());
  committed_ = true;
  fsync_dir(target.parent_path());
  kill_point("blob-renamed");
  return digest;
}

std::string Ingest::read_back(size_t limit) {
  write_pending();
  if (in_file_ > limit) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("{}: {} bytes, more than the {} allowed", name_, in_file_, limit));
  }
  std::string bytes(static_cast<size_t>(in_file_), '\0');
  size_t got = 0;
  while (got < bytes.size()) {
    ssize_t n = ::pread(fd_.get(), bytes.data() + got, bytes.size() - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail_errno("read", temp_path_.string());
    if (n == 0) fail(ErrorKind::kInternal, fmt::format("{}: shorter than written", name_));
    got += static_cast<size_t>(n);
  }
  return bytes;
}

void Ingest::prepare_commit() {
  write_pending();
  if (::fchmod(fd_.get(), 0444) != 0) fail_errno("chmod", temp_path_.string());
}

void BlobStore::commit_all(const std::vector<std::unique_ptr<Ingest>>& ingests) const {
  if (ingests.empty()) return;
  for (const auto& ingest : ingests) {
    ingest->digest();
    ingest->prepare_commit();
  }
  // One flush for all: every temp file is durable before any of them is renamed.
  if (::syncfs(ingests.front()->fd_.get()) != 0) fail_errno("sync", ingest_dir_.string());
  for (const auto& ingest : ingests) {
    fs::path target = path_of(ingest->digest());
    kill_point("blob-before-rename");
    if (::rename(ingest->temp_path_.c_str(), target.c_str()) != 0) {
      fail_errno("rename to", target.string());
    }
    ingest->committed_ = true;
  }
  fsync_dir(blob_dir_);
  kill_point("blob-renamed");
}

BlobStore::BlobStore(fs::path root)
    : blob_dir_(root / "blobs" / "sha256"), ingest_dir_(root / "ingest") {
  make_dirs(blob_dir_, 0700);
  make_dirs(ingest_dir_, 0700);
}

fs::path BlobStore::path_of(const Digest& digest) const {
  if (digest.algorithm() != DigestAlgorithm::kSha256) {
    fail(ErrorKind::kUnsupported, fmt::format("{}: only sha256 blobs can be stored", digest.str()));
  }
  return blob_dir_ / std::string(digest.hex());
}

bool BlobStore::exists(const Digest& digest) const {
  return size_of(digest).has_value();
}

std::optional<uint64_t> BlobStore::size_of(const Digest& digest) const {
  struct stat st {};
  if (::stat(path_of(digest).c_str(), &st) != 0) {
    if (errno == ENOENT) return std::nullopt;
    fail_errno("stat", path_of(digest).string());
  }
  return static_cast<uint64_t>(st.st_size);
}

namespace {

// A file read from its start, its descriptor owned.
class OwnedFileReader final : public Reader {
 public:
  OwnedFileReader(UniqueFd fd, std::string name) : fd_(std::move(fd)), reader_(fd_.get(), name) {}
  size_t read(void* buffer, size_t size) override { return reader_.read(buffer, size); }

 private:
  UniqueFd fd_;
  FdReader reader_;
};

}  // namespace

std::unique_ptr<Reader> BlobStore::open_reader(const Digest& digest) const {
  return std::make_unique<OwnedFileReader>(open(digest), path_of(digest).string());
}

UniqueFd BlobStore::open(const Digest& digest) const {
  fs::path path = path_of(digest);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) fail(ErrorKind::kNotFound, fmt::format("blob {} not found", digest.str()));
    fail_errno("open", path.string());
  }
  return UniqueFd(fd);
}

std::string BlobStore::read(const Digest& digest, size_t limit) const {
  UniqueFd fd = open(digest);
  FdReader reader(fd.get(), path_of(digest).string());
  return read_all(reader, limit, digest.str());
}

namespace {

// Takes the lock, waiting while another process holds it.
void lock_file(int fd, const std::string& path) {
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno != EINTR) fail_errno("lock", path);
  }
}

}  // namespace

std::unique_ptr<Ingest> BlobStore::begin_ingest(std::string name) const {
  // Preferably the file is made unnamed (O_TMPFILE), locked, then linked under a fresh name:
  // so no one ever sees it unlocked.
  if (auto ingest = begin_unnamed_ingest(name)) return ingest;
  for (;;) {
    std::string tmpl = (ingest_dir_ / "blob-XXXXXX").string();
    int fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
    if (fd < 0) fail_errno("create ingest file in", ingest_dir_.string());
    UniqueFd guard(fd);
    // The lock tells `stale_ingests` that a live process still writes this file. Between
    // mkostemp and the lock, `remove_stale_ingest` may take the new file for a leftover (it
    // holds the lock while it unlinks, so we wait for it): then the file is gone and another
    // name is needed.
    lock_file(fd, tmpl);
    struct stat st {};
    if (::fstat(fd, &st) != 0) fail_errno("stat", tmpl);
    if (st.st_nlink == 0) continue;
    return std::unique_ptr<Ingest>(new Ingest(*this, std::move(guard), tmpl, std::move(name)));
  }
}

std::unique_ptr<Ingest> BlobStore::begin_unnamed_ingest(std::string& name) const {
  int fd = ::open(ingest_dir_.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) {
    // Not supported by this file system (or kernel): the caller falls back to named files.
    if (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL) return nullptr;
    fail_errno("create ingest file in", ingest_dir_.string());
  }
  UniqueFd guard(fd);
  lock_file(fd, ingest_dir_.string());
  std::string proc = fmt::format("/proc/self/fd/{}", fd);
  static std::atomic<uint64_t> counter{0};
  std::random_device entropy;
  for (;;) {
    fs::path path =
        ingest_dir_ / fmt::format("blob-{}-{}-{:08x}", ::getpid(), ++counter, entropy());
    if (::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, path.c_str(), AT_SYMLINK_FOLLOW) == 0) {
      return std::unique_ptr<Ingest>(
          new Ingest(*this, std::move(guard), path.string(), std::move(name)));
    }
    if (errno == EEXIST) continue;
    if (errno == ENOENT && !fs::exists("/proc/self/fd")) return nullptr;  // no /proc here
    fail_errno("create ingest file", path.string());
  }
}

Digest BlobStore::put(std::string_view bytes, const std::optional<Digest>& expected,
                      std::string name) const {
  if (expected && exists(*expected)) return *expected;
  auto ingest = begin_ingest(std::move(name));
  ingest->write(bytes);
  return ingest->commit(expected, bytes.size());
}

uint64_t BlobStore::disk_usage(const Digest& digest) const {
  struct stat st {};
  if (::stat(path_of(digest).c_str(), &st) != 0) return 0;
  return static_cast<uint64_t>(st.st_blocks) * 512;
}

uint64_t BlobStore::disk_usage(const std::vector<Digest>& digests) const {
  const int dir = ::open(blob_dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return 0;
  uint64_t bytes = 0;
  for (const Digest& digest : digests) {
    struct stat st {};
    if (digest.algorithm() == DigestAlgorithm::kSha256 &&
        ::fstatat(dir, std::string(digest.hex()).c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
      bytes += static_cast<uint64_t>(st.st_blocks) * 512;
    }
  }
  ::close(dir);
  return bytes;
}

uint64_t BlobStore::remove(const Digest& digest) const {
  fs::path path = path_of(digest);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) fail_errno("remove", path.string());
  return static_cast<uint64_t>(st.st_blocks) * 512;
}

void BlobStore::walk(const std::function<void(const Digest&, uint64_t)>& fn) const {
  for (const auto& entry : fs::directory_iterator(blob_dir_)) {
    auto digest = Digest::try_parse("sha256:" + entry.path().filename().string());
    if (!digest) continue;  // not a blob name: `system check` reports such strays separately
    std::error_code ec;
    auto size = entry.file_size(ec);
    if (!ec) fn(*digest, size);
  }
}

namespace {

// Opens and locks `path` when no live writer holds it and it is still the file at `path` (a
// writer may have committed it, renaming it away, and a new ingest may have taken its name):
// an invalid fd otherwise. The lock lasts as long as the fd.
UniqueFd lock_if_stale(const fs::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return fd;
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) return UniqueFd();
  struct stat held {
  }, named{};
  if (::fstat(fd.get(), &held) != 0 || ::lstat(path.c_str(), &named) != 0) return UniqueFd();
  if (held.st_dev != named.st_dev || held.st_ino != named.st_ino || held.st_nlink == 0 ||
      !S_ISREG(held.st_mode)) {
    return UniqueFd();
  }
  return fd;
}

}  // namespace

std::vector<fs::path> BlobStore::stale_ingests() const {
  std::vector<fs::path> stale;
  for (const auto& entry : fs::directory_iterator(ingest_dir_)) {
    if (lock_if_stale(entry.path())) stale.push_back(entry.path());
  }
  return stale;
}

bool BlobStore::remove_stale_ingest(const fs::path& path) const {
  // Unlinked while the lock is held: a writer that created the file but has not locked it yet
  // waits for the lock, then sees the file gone (begin_ingest) and takes another name.
  UniqueFd fd = lock_if_stale(path);
  if (!fd) return false;
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT) return false;
    fail_errno("remove", path.string());
  }
  return true;
}

}  // namespace schicht
