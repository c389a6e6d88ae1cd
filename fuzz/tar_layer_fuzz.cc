// Fuzzes the one-pass layer digester: compression detection, the gzip/zstd/bzip2/xz readers and
// the tar walk, over the input as a layer blob.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "archive/layer.h"
#include "core/error.h"
#include "core/io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view blob(reinterpret_cast<const char*>(data), size);
  try {
    schicht::StringReader in(blob);
    schicht::NullWriter sink;
    auto digests = schicht::digest_layer(in, &sink, "fuzz");
    // Every raw byte must reach the sink once, and be counted once.
    if (sink.count() != size || digests.size != size) __builtin_trap();
  } catch (const schicht::Error&) {
  }
  return 0;
}
