#include "copy/layer_split.h"

#include <exception>
#include <optional>
#include <thread>

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
    IoBuffer buffer(kChunk);
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

// Feeds the layer reader from `data`, storing each byte in `ingest` on the way. An error of
// `data` or of the ingest ends the stream and is kept, to be rethrown as it was: it is the
// cause of whatever the layer reader then says, and is not named as the layer's.
class FeedingReader final : public Reader {
 public:
  FeedingReader(Reader& data, Ingest& ingest) : data_(data), ingest_(ingest) {}
  size_t read(void* buffer, size_t size) override {
    if (error_) return 0;
    try {
      size_t n = data_.read(buffer, size);
      ingest_.write(buffer, n);
      return n;
    } catch (...) {
      error_ = std::current_exception();
      return 0;
    }
  }
  void rethrow_error() const {
    if (error_) std::rethrow_exception(error_);
  }

 private:
  Reader& data_;
  Ingest& ingest_;
  std::exception_ptr error_;
};

// A layer of at most one chunk, on the calling thread: the inflating thread would get it in one
// piece once it had been read, so a thread of its own only costs its start (thousands of them
// when an archive of small images is loaded). Same bytes stored, same errors.
LayerDigests store_small_layer(store::ImageWriter& writer, const Descriptor& blob, Reader& data,
                               const std::string& what) {
  std::unique_ptr<Ingest> ingest = writer.store().blobs().begin_ingest(what);
  FeedingReader feed(data, *ingest);
  std::optional<LayerContent> content;
  try {
    content = read_layer_content(feed, what);
  } catch (const Error& e) {
    feed.rethrow_error();
    if (e.kind() == ErrorKind::kInvalidInput) {
      NullWriter rest;  // the whole blob's digest decides which error is the cause
      copy_stream(feed, rest);
      feed.rethrow_error();
      check_bytes(*ingest, blob, what);
    }
    throw;
  }
  feed.rethrow_error();
  auto size = static_cast<uint64_t>(blob.size);
  Digest digest = writer.put_ingest(std::move(ingest), blob.digest, size, what);
  return LayerDigests{digest, size, content->compression, content->diff_id,
                      content->uncompressed_size};
}

}  // namespace

LayerDigests store_layer(store::ImageWriter& writer, const Descriptor& blob, Reader& data,
                         const std::string& what) {
  if (blob.size >= 0 && static_cast<uint64_t>(blob.size) <= kChunk) {
    return store_small_layer(writer, blob, data, what);
  }
  return store_layer_with(writer, blob, data, what, nullptr, nullptr);
}

LayerDigests store_layer(store::ImageWriter& writer, const Descriptor& blob, Reader& data,
                         const std::string& what, snapshot::Snapshotter& snapshots,
                         std::unique_ptr<snapshot::UnpackedLayer>& unpacked) {
  return store_layer_with(writer, blob, data, what, &snapshots, &unpacked);
}

}  // namespace schicht::copy
