// One sequential pass over an image archive (docker-archive or oci-archive, compressed or not,
// from a file or a pipe) that puts its files into the blob store as they stream by.
//
// Archives name their contents only at the end (c/image writes manifest.json last), so the
// pass cannot know what an entry is when it reads it: small entries (JSON) stay in memory,
// large ones stream into the blob store, and those that look like layers (compressed or tar)
// get their diffID computed in the same pass. Nothing is visible as an image until the caller
// records rows through the ImageWriter; every blob this pass creates is adopted by that writer,
// which removes those nothing references when the load fails (or, by finish(), the stray
// entries after it succeeded), so a failed load leaves the store as it was.
// Owned by one thread.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "archive/compression.h"
#include "content/blob_store.h"
#include "core/digest.h"
#include "core/io.h"
#include "store/image_writer.h"
#include "store/store.h"

namespace schicht::transport {

struct ArchiveEntry {
  std::optional<std::string> bytes;  // small entries, until stored
  std::optional<Digest> digest;      // set once the entry is in the blob store
  uint64_t size = 0;
  std::optional<Digest> diff_id;  // set for entries read as layers
  uint64_t uncompressed_size = 0;
  Compression compression = Compression::kNone;
};

class ArchiveIngest {
 public:
  ArchiveIngest(store::Store& store, store::ImageWriter& writer, std::string archive_name);
  ~ArchiveIngest() = default;
  ArchiveIngest(const ArchiveIngest&) = delete;
  ArchiveIngest& operator=(const ArchiveIngest&) = delete;

  void read(Reader& raw);

  const std::string& name() const { return name_; }
  bool has(std::string_view path) const;
  // The bytes of a small entry (a JSON file). kInvalidInput naming the archive when missing.
  std::string text(std::string_view path);
  // Stores the entry in the blob store (when not yet there) and returns it. With `as_layer`
  // the diffID is known afterwards (computed now for an entry that was kept in memory).
  const ArchiveEntry& blob(std::string_view path, bool as_layer);
  // Stores `bytes` as a blob created by this ingest (e.g. a generated manifest).
  Digest put(std::string_view bytes, std::string_view what);
  // Stores the decompressed form of a compressed layer entry; returns its digest.
  Digest put_decompressed(const ArchiveEntry& layer, std::string_view what);

  // Makes every blob stored so far durable and visible: call before rows reference them. Blobs
  // are committed in batches (one file system flush per batch, not two per blob).
  void sync();

  // Call after the images are recorded: ends the writer (ImageWriter::finish), so blobs
  // created but not referenced are then removed.
  void finish();

 private:
  void add_large(const std::string& path, Reader& data, std::string_view head);
  std::string resolve(std::string_view path) const;
  ArchiveEntry& entry(std::string_view path);
  // Streams `data` into the blob store; `entry` (when given) learns its digest and size, and
  // with `as_layer` its diffID, uncompressed size and compression.
  Digest store_from(Reader& data, std::string_view what, ArchiveEntry* entry, bool as_layer);

  store::Store& store_;
  store::ImageWriter& writer_;
  std::string name_;
  std::map<std::string, ArchiveEntry, std::less<>> entries_;
  std::map<std::string, std::string, std::less<>> links_;  // path -> target path
  std::vector<std::unique_ptr<Ingest>> pending_;           // finished, not yet committed
  std::set<Digest> pending_digests_;
  uint64_t memory_ = 0;
};

}  // namespace schicht::transport
