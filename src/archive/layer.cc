#include "archive/layer.h"

#include <string>

#include "archive/tar_reader.h"
#include "core/error.h"

namespace schicht {
namespace {

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

void drain(Reader& reader, IoBuffer& buffer) {
  while (reader.read(buffer.data(), buffer.size()) != 0) {
  }
}

}  // namespace

LayerContent read_layer_content(Reader& raw_blob, std::string_view name) {
  return read_layer_content(raw_blob, name,
                            [&](Reader& tar_stream) {
                              TarReader tar(tar_stream, std::string(name));
                              TarEntry entry;
                              while (tar.next(entry)) {
                              }
                              return true;
                            })
      .content;
}

TarUse read_layer_content(Reader& raw_blob, std::string_view name,
                          const std::function<bool(Reader& tar)>& use_tar) {
  // raw -> decompress -> hash(tar) -> tar walk
  std::unique_ptr<DecompressingReader> decompressed =
      with_context(name, [&] { return decompress(raw_blob); });
  ContextReader named(*decompressed, name);
  HashingReader tar_hash(named);
  bool checked = use_tar(tar_hash);
  // The tar parser stops at the end blocks; the DiffID covers the whole stream, and reading the
  // decompressor to its end is also what checks the compressed stream's trailer.
  IoBuffer buffer;
  drain(tar_hash, buffer);
  with_context(name, [&] { drain(raw_blob, buffer); });
  uint64_t uncompressed_size = tar_hash.count();
  return TarUse{LayerContent{decompressed->compression(), tar_hash.finish(), uncompressed_size},
                checked};
}

LayerDigests digest_layer(Reader& raw_blob, Writer* raw_sink, std::string_view name) {
  NullWriter none;
  TeeReader tee(raw_blob, raw_sink != nullptr ? *raw_sink : none);
  HashingReader raw_hash(tee);
  LayerContent content = read_layer_content(raw_hash, name);
  uint64_t size = raw_hash.count();
  return LayerDigests{raw_hash.finish(), size, content.compression, content.diff_id,
                      content.uncompressed_size};
}

}  // namespace schicht
