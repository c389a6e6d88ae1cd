// The content-addressable blob store: every manifest, index, config and layer, byte-exact,
// under blobs/sha256/<hex>.
//
// One way in: bytes are streamed into an Ingest (a temp file under ingest/, flock-held while
// open), verified against the expected size and digest, fsynced and renamed into place. A blob
// is never visible under its name before it is complete and verified; "already exists" is
// success. Thread-safety: a BlobStore may be shared by threads; an Ingest belongs to one.
// The store knows nothing of images: which blobs are referenced is the metadata's business.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/digest.h"
#include "core/fs.h"
#include "core/io.h"

namespace schicht {

class BlobStore;

// A blob being written. Destroying an uncommitted Ingest deletes its temp file.
class Ingest final : public Writer {
 public:
  ~Ingest() override;
  Ingest(const Ingest&) = delete;
  Ingest& operator=(const Ingest&) = delete;

  using Writer::write;
  void write(const void* data, size_t size) override;
  uint64_t size() const { return hasher_.count(); }
  // The digest of everything written; no more writes afterwards.
  const Digest& digest();

  // Verifies what was written against the expectations (when given), makes it durable and
  // visible under its digest, and returns the digest. kIntegrity on a mismatch.
  Digest commit(const std::optional<Digest>& expected_digest = std::nullopt,
                std::optional<uint64_t> expected_size = std::nullopt);
  // Everything written so far, read back from the temp file (a blob its writer holds back for
  // BlobStore::commit_all, read before it is visible). kInvalidInput past `limit` bytes.
  std::string read_back(size_t limit);

 private:
  friend class BlobStore;
  Ingest(const BlobStore& store, UniqueFd fd, fs::path temp_path, std::string name);

  const BlobStore& store_;
  UniqueFd fd_;
  fs::path temp_path_;
  std::string name_;  // what the bytes are, for error messages
  FdWriter file_;
  HashingWriter hasher_;  // hashes and counts what is accepted; the file gets it via pending_
  std::optional<Digest> digest_;
  bool committed_ = false;
  void write_pending();
  void prepare_commit();
  void write_to_file(const void* data, size_t size);

  static constexpr size_t kWriteBuffer = size_t{256} << 10;
  static constexpr uint64_t kWritebackChunk = uint64_t{8} << 20;
  std::string pending_;   // accepted bytes not yet written to the file
  uint64_t in_file_ = 0;  // bytes written to the file
  uint64_t flushed_ = 0;  // bytes whose write-back has been started
};

class BlobStore {
 public:
  // Creates <root>/blobs/sha256 and <root>/ingest when missing.
  explicit BlobStore(fs::path root);

  fs::path path_of(const Digest& digest) const;
  const fs::path& ingest_dir() const { return ingest_dir_; }
  bool exists(const Digest& digest) const;
  // Size on disk, or nullopt when absent.
  std::optional<uint64_t> size_of(const Digest& digest) const;
  // kNotFound when absent.
  UniqueFd open(const Digest& digest) const;
  // The blob read from its start, named by its path in errors; kNotFound when absent.
  std::unique_ptr<Reader> open_reader(const Digest& digest) const;
  std::string read(const Digest& digest, size_t limit = 64 << 20) const;

  // `name` describes the content in error messages (e.g. "layer sha256:…" or a file name).
  std::unique_ptr<Ingest> begin_ingest(std::string name) const;
  // Stores `bytes` and returns their digest (verified against `expected` when given).
  Digest put(std::string_view bytes, const std::optional<Digest>& expected = std::nullopt,
             std::string name = "blob") const;
  // Commits finished ingests as commit() without expectations does, with one flush of the file
  // system for all of them instead of two per blob: each is written out, one syncfs makes them
  // durable, then each is renamed into place and the directory synced once. For passes that
  // store thousands of small blobs (an archive of 10,000 layers). Those not renamed when an
  // error stops it stay invisible and go with their Ingest.
  void commit_all(const std::vector<std::unique_ptr<Ingest>>& ingests) const;

  // The space the blob takes on disk (allocated blocks), 0 when absent: what removing frees.
  uint64_t disk_usage(const Digest& digest) const;
  // The same for many blobs at once: the blob directory is resolved once, not once a blob.
  uint64_t disk_usage(const std::vector<Digest>& digests) const;
  // Deletes a blob; a missing blob is not an error. Returns the bytes freed.
  uint64_t remove(const Digest& digest) const;
  // Calls `fn` for every stored sha256 blob with its size.
  void walk(const std::function<void(const Digest&, uint64_t)>& fn) const;
  // Temp files of ingests whose writer is gone (not flock-held): a crash leftover.
  std::vector<fs::path> stale_ingests() const;
  // Removes `path` (one of stale_ingests()) when it is still stale: a live writer's file stays.
  // Returns whether it removed it.
  bool remove_stale_ingest(const fs::path& path) const;

 private:
  std::unique_ptr<Ingest> begin_unnamed_ingest(std::string& name) const;

  fs::path blob_dir_;
  fs::path ingest_dir_;
};

}  // namespace schicht
