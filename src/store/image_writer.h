// ImageWriter: the one way an image's blobs and rows enter the store. Pull, import, load,
// build, manifest lists and the copy engine's store destination all write through it, so the
// lease, the blob checks and the rollback are written once.
//
// It owns a lease for its whole life: every blob it stores or relies on is protected from
// concurrent removal until the writer ends. It keeps the list of blobs it created (stored
// because the store lacked them); whatever happens, none of them outlives the writer unless a
// row references it.
//
// Call order:
//   1. protect(digest) before relying on or fetching a blob: true means the store has it
//      already (skip writing it); it stays there as long as the writer lives.
//   2. put(), put_blob() or put_layer() for each blob the store lacks. Each verifies the
//      digest (and size) it is given before the blob becomes visible; put_layer() also
//      computes the diffID and uncompressed size in the same streaming pass. A caller that
//      ingests into store().blobs() itself calls adopt(digest) first, so a rollback covers it.
//   3. The rows: record(image, names, action) for each image (Store::add_image: rows, names,
//      tag log action such as "pull") or for several in one transaction, or rows of the
//      caller's own (a manifest list). Then commit(): the created blobs belong to the rows.
//      commit(image, names, action) is both for one image. finish() instead of commit() also
//      removes created blobs no row references (archive entries a load stored but no image
//      used).
// Destroying a writer without commit(), or calling rollback(), removes the blobs it created
// that no row references: a failed or interrupted write leaves the store as it was (rows
// already recorded stay: record is the point of no return for its image).
//
// Threads: protect, put, put_blob, put_layer and adopt may run on several threads at once;
// record, commit and rollback on one, with no other call in flight.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "archive/layer.h"
#include "content/blob_store.h"
#include "core/digest.h"
#include "core/io.h"
#include "oci/config.h"
#include "oci/manifest.h"
#include "store/store.h"

namespace schicht::store {

class ImageWriter {
 public:
  explicit ImageWriter(Store& store);
  ~ImageWriter();
  ImageWriter(const ImageWriter&) = delete;
  ImageWriter& operator=(const ImageWriter&) = delete;

  Store& store() { return store_; }
  Lease& lease() { return *lease_; }

  // Protects `digest` for the writer's life; true when the store already has the blob.
  bool protect(const Digest& digest);
  // Lists `digest` as created by this writer (before it exists is fine): rollback removes it
  // unless a row references it. For callers that ingest into store().blobs() themselves.
  void adopt(const Digest& digest);

  // Stores `bytes`; kIntegrity when `expected` is given and they do not hash to it. Returns
  // their digest. A blob the store has is not written again.
  Digest put(std::string_view bytes, const std::optional<Digest>& expected = std::nullopt,
             std::string what = "blob");
  // Streams `data` to its end into the store, as put() does; `expected_size` is checked too.
  Digest put_blob(Reader& data, const std::optional<Digest>& expected,
                  std::optional<uint64_t> expected_size, std::string what);
  // A blob the caller wrote into an Ingest of store().blobs() itself (a layer compressed as it
  // is made): verified and kept as put() keeps it.
  Digest put_ingest(std::unique_ptr<Ingest> ingest, const std::optional<Digest>& expected,
                    std::optional<uint64_t> expected_size, const std::string& what);
  // A layer: as put_blob, and the same pass decompresses the bytes and hashes the tar.
  // kInvalidInput when they are not a layer (reported as a digest mismatch when they are not
  // the expected bytes at all, which is then the cause).
  LayerDigests put_layer(Reader& data, const std::optional<Digest>& expected,
                         std::optional<uint64_t> expected_size, std::string what);
  // The diffID of a layer the store has (protected): from the rows of an image that recorded
  // it, else by reading the blob.
  LayerDigests stored_layer(const Digest& digest);

  // From now on (call it before any put), blobs are made durable in groups: each verified
  // blob is held back and committed with others (BlobStore::commit_all: one flush of the file
  // system for up to kCommitGroup blobs, instead of two fsyncs each), at the latest by
  // record(), commit() or flush(). For writes of many small blobs (load of an archive of
  // thousands of images). A held-back blob is not in the store yet: read it with read_blob.
  void group_commits() { grouped_ = true; }
  // Commits the held-back blobs now.
  void flush();
  // A blob this writer stored (held back or not) or protected, whole; kInvalidInput past
  // `limit` bytes.
  std::string read_blob(const Digest& digest, size_t limit);
  static constexpr size_t kCommitGroup = 256;

  void record(const NewImage& image, const std::vector<std::string>& names,
              std::string_view action);
  // Several images as one transaction (Store::add_images): all of them or none.
  void record(const std::vector<NamedImage>& images, std::string_view action);
  void commit();
  void finish();
  void commit(const NewImage& image, const std::vector<std::string>& names,
              std::string_view action);
  // Removes created blobs no row references; the writer is done afterwards.
  void rollback();

  const std::vector<Digest>& created() const { return created_; }

 private:
  void discard_created();
  bool protect_locked(const Digest& digest);  // mutex_ held

  Store& store_;
  std::unique_ptr<Lease> lease_;
  std::mutex mutex_;  // the lease's rows, leased_, created_ and held_
  std::vector<Digest> created_;
  std::set<Digest> leased_;  // protected by the lease (its row is in)
  bool done_ = false;
  bool grouped_ = false;
  // Verified blobs not yet committed (group_commits), by digest; flush_mutex_ is held while a
  // group is committed and while read_blob looks, so a blob is always found in one place.
  std::map<Digest, std::unique_ptr<Ingest>> held_;
  std::mutex flush_mutex_;
};

// The rows an image manifest and its config give, with `layers` (base first) as stored.
NewImage describe_image(const ImageConfig& config, const Manifest& manifest,
                        std::vector<LayerInfo> layers);

// Nanoseconds since the epoch of a config's "created", 0 when absent or out of range.
int64_t config_created_ns(const std::string& rfc3339);

}  // namespace schicht::store
