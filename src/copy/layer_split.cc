#include "copy/layer_split.h"

#include <exception>
#include <optional>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "copy/byte_pipe.h"
#include "core/error.h"

namespace schicht::copy {
namespace {

constexpr size_t kChunk = size_t{256} << 10;
// Between two threads on one machine: a few chunks keep both busy; the download pipe in front
// already absorbs the network's bursts.
constexpr size_t kInflateCapacity = size_t{1} << 20;

// ImageWriter's words for a blob that is not the one expected.
void check_bytes(Ingest& ingest, const Descriptor& blob, const std::string& what) {
  if (ingest.size() != static_cast<uint64_t>(blob.size)) {
    fail(ErrorKind::kIntegrity,
         fmt::format("writing blob: storing {}: size mismatch: expected {} bytes, got {}", what,
                     blob.size, ingest.size()));
  }
  if (ingest.digest() != blob.digest) {
    fail(ErrorKind::kIntegrity,
         fmt::format("writing blob: storing {}: Digest did not match, expected {}, got {}", what,
                     blob.digest.str(), ingest.digest().str()));
  }
}

}  // namespace

namespace {

LayerDigests store_layer_with(store::ImageWriter& writer, const Descriptor& blob, Reader& data,
                              const std::string& what, snapshot::Snapshotter* snapshots,
                              std::unique_ptr<snapshot::UnpackedLayer>* unpacked) {
  std::unique_ptr<Ingest> ingest = writer.store().blobs().begin_ingest(what);
  BytePipe raw(kInflateCapacity);
  std::optional<LayerContent> content;
  std::exception_ptr inflate_error;
  bool tar_checked = true;
  std::thread inflate([&] {
    try {
      if (snapshots == nullptr) {
        content = read_layer_content(raw.reader(), what);
      } else {
        TarUse used = read_layer_content(raw.reader(), what, [&](Reader& tar) {
          *unpacked = snapshots->unpack(tar, what);
          return (*unpacked)->complete();
        });
        content = used.content;
        tar_checked = used.tar_checked;
        (*unpacked)->set_diff_id(content->diff_id);
      }
      NullWriter rest;  // bytes after the tar's end: the ingest has them, hashed
      copy_stream(raw.reader(), rest);
    } catch (...) {
      inflate_error = std::current_exception();
    }
    raw.abandon();
  });
  try {
    std::vector<char> buffer(kChunk);
    // Once the inflating side gave up (not a layer), the rest still goes to the ingest: its
    // digest decides which error is the cause.
    bool feeding = true;
    for (;;) {
      size_t n = data.read(buffer.data(), buffer.size());
      if (n == 0) break;
      ingest->write(buffer.data(), n);
      if (!feeding) continue;
      try {
        raw.writer().write(buffer.data(), n);
      } catch (const Error&) {
        feeding = false;
      }
    }
    raw.close();
  } catch (...) {
    raw.fail(std::current_exception());
    inflate.join();
    throw;
  }
  inflate.join();
  if (inflate_error) {
    try {
      std::rethrow_exception(inflate_error);
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::kInvalidInput) check_bytes(*ingest, blob, what);
      throw;
    }
  }
  auto size = static_cast<uint64_t>(blob.size);
  Digest digest = writer.put_ingest(std::move(ingest), blob.digest, size, what);
  if (!tar_checked) {
    // Extraction stopped part way: the tar's structure is checked as store_layer checks it.
    UniqueFd fd = writer.store().blobs().open(digest);
    FdReader stored(fd.get(), writer.store().blobs().path_of(digest).string());
    content = read_layer_content(stored, what);
  }
  return LayerDigests{digest, size, content->compression, content->diff_id,
                      content->uncompressed_size};
}

}  // namespace

LayerDigests store_layer(store::ImageWriter& writer, const Descriptor& blob, Reader& data,
                         const std::string& what) {
  return store_layer_with(writer, blob, data, what, nullptr, nullptr);
}

LayerDigests store_layer(store::ImageWriter& writer, const Descriptor& blob, Reader& data,
                         const std::string& what, snapshot::Snapshotter& snapshots,
                         std::unique_ptr<snapshot::UnpackedLayer>& unpacked) {
  return store_layer_with(writer, blob, data, what, &snapshots, &unpacked);
}

}  // namespace schicht::copy
