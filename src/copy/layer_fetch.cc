#include "copy/layer_fetch.h"

#include <exception>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "copy/byte_pipe.h"
#include "copy/download.h"
#include "core/error.h"

namespace schicht::copy {
namespace {

void check_bytes(Ingest& ingest, const Descriptor& blob) {
  if (ingest.size() != static_cast<uint64_t>(blob.size)) {
    fail(ErrorKind::kIntegrity,
         fmt::format("writing blob: storing blob {}: size mismatch: expected {} bytes, got {}",
                     blob.digest.str(), blob.size, ingest.size()));
  }
  if (ingest.digest() != blob.digest) {
    fail(ErrorKind::kIntegrity,
         fmt::format("writing blob: storing blob {}: Digest did not match, expected {}, got {}",
                     blob.digest.str(), blob.digest.str(), ingest.digest().str()));
  }
}

}  // namespace

LayerDigests fetch_layer(registry::RegistryClient& client, std::string_view repository,
                         const Descriptor& layer, const Digest& diff_id, const BlobStore& blobs,
                         const std::atomic<bool>& cancelled, TransferProgress* progress) {
  std::string name = "blob " + layer.digest.str();
  auto ingest = blobs.begin_ingest(name);
  BytePipe pipe(kPipeCapacity, &cancelled);
  Download download(client, repository, layer, pipe, progress, ingest.get());
  std::optional<LayerContent> content;
  try {
    content = read_layer_content(pipe.reader(), name);
  } catch (const Error&) {
    // A failed download is the cause of whatever the decompressor then saw.
    if (pipe.failed()) download.finish();
    if (cancelled) throw;
    // Bytes that do not decompress may simply be the wrong bytes: let the rest arrive, and if
    // the blob is not the one the descriptor names, say that.
    bool complete = false;
    ignore_error("the rest of the blob only decides which error to report", [&] {
      NullWriter rest;
      copy_stream(pipe.reader(), rest);
      download.finish();
      complete = true;
    });
    if (complete) check_bytes(*ingest, layer);
    throw;
  }
  download.finish();
  check_bytes(*ingest, layer);
  if (content->diff_id != diff_id) {
    fail(ErrorKind::kIntegrity,
         fmt::format("writing blob: layer {}: its diffID is {}, but the image config names {}",
                     layer.digest.str(), content->diff_id.str(), diff_id.str()));
  }
  ingest->commit(layer.digest, static_cast<uint64_t>(layer.size));
  return LayerDigests{layer.digest, ingest->size(), content->compression, content->diff_id,
                      content->uncompressed_size};
}

std::string fetch_small_blob(registry::RegistryClient& client, std::string_view repository,
                             const Descriptor& descriptor, size_t limit) {
  if (descriptor.size < 0 || static_cast<uint64_t>(descriptor.size) > limit) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("blob {} is {} bytes, more than the {} allowed for it",
                     descriptor.digest.str(), descriptor.size, limit));
  }
  StringWriter bytes;
  client.get_blob(repository, descriptor.digest, static_cast<uint64_t>(descriptor.size), bytes);
  Hasher hasher(descriptor.digest.algorithm());
  hasher.update(bytes.str());
  Digest got = hasher.finish();
  if (got != descriptor.digest) {
    fail(ErrorKind::kIntegrity,
         fmt::format("writing blob: storing blob {}: Digest did not match, expected {}, got {}",
                     descriptor.digest.str(), descriptor.digest.str(), got.str()));
  }
  return std::move(bytes.str());
}

}  // namespace schicht::copy
