#include "archive/layer.h"

#include <string>
#include <vector>

#include "archive/tar_reader.h"
#include "core/error.h"

namespace schicht {
namespace {

// Passes reads through and copies every byte read to a sink.
class TeeReader final : public Reader {
 public:
  TeeReader(Reader& inner, Writer* sink) : inner_(inner), sink_(sink) {}
  size_t read(void* buffer, size_t size) override {
    size_t n = inner_.read(buffer, size);
    if (n > 0 && sink_ != nullptr) sink_->write(buffer, n);
    return n;
  }

 private:
  Reader& inner_;
  Writer* sink_;
};

// Prefixes errors raised below it (decompression, the raw stream) with the layer's name; the
// tar parser names the layer in its own messages.
class ContextReader final : public Reader {
 public:
  ContextReader(Reader& inner, std::string_view context) : inner_(inner), context_(context) {}
  size_t read(void* buffer, size_t size) override {
    return with_context(context_, [&] { return inner_.read(buffer, size); });
  }

 private:
  Reader& inner_;
  std::string_view context_;
};

void drain(Reader& reader, std::vector<char>& buffer) {
  while (reader.read(buffer.data(), buffer.size()) != 0) {
  }
}

}  // namespace

LayerDigests digest_layer(Reader& raw_blob, Writer* raw_sink, std::string_view name) {
  // raw -> tee(sink) -> hash(raw) -> decompress -> hash(tar) -> tar walk
  TeeReader tee(raw_blob, raw_sink);
  HashingReader raw_hash(tee);
  std::unique_ptr<DecompressingReader> decompressed =
      with_context(name, [&] { return decompress(raw_hash); });
  ContextReader named(*decompressed, name);
  HashingReader tar_hash(named);
  {
    TarReader tar(tar_hash, std::string(name));
    TarEntry entry;
    while (tar.next(entry)) {
    }
  }
  // The tar parser stops at the end blocks; the DiffID covers the whole stream, and reading the
  // decompressor to its end is also what checks the compressed stream's trailer.
  std::vector<char> buffer(kIoBufferSize);
  drain(tar_hash, buffer);
  with_context(name, [&] { drain(raw_hash, buffer); });
  uint64_t size = raw_hash.count();
  uint64_t uncompressed_size = tar_hash.count();
  return LayerDigests{raw_hash.finish(), size, decompressed->compression(), tar_hash.finish(),
                      uncompressed_size};
}

}  // namespace schicht
