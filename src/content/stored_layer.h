// Reading a stored layer as the tar it holds: the blob, opened by digest, decompressed in
// whatever compression its bytes are in (gzip, zstd, ...; a plain tar passes through). For
// everything that unpacks, re-exports or recompresses a stored layer: snapshots, build, save,
// load, push.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "archive/compression.h"
#include "content/blob_store.h"
#include "core/digest.h"
#include "core/io.h"

namespace schicht {

// A Reader of a stored layer's uncompressed bytes; it owns the open blob file, so it may
// outlive the caller's scope (snapshot::LayerSource openers return it). kNotFound when the
// blob is absent; a corrupt stream fails while reading, as decompress() does.
class StoredLayerReader final : public Reader {
 public:
  // `name` names the file in read errors; the digest when empty.
  StoredLayerReader(const BlobStore& blobs, const Digest& digest, std::string_view name = "");
  size_t read(void* buffer, size_t size) override { return plain_->read(buffer, size); }
  // What the stored bytes were compressed with.
  Compression compression() const { return plain_->compression(); }

 private:
  UniqueFd fd_;
  FdReader raw_;
  std::unique_ptr<DecompressingReader> plain_;
};

// The compression a stored blob's bytes are in, from their first bytes (a media type may say
// otherwise: docker-archive loads call plain tars gzip). kNotFound when the blob is absent.
Compression stored_compression(const BlobStore& blobs, const Digest& digest);

}  // namespace schicht
