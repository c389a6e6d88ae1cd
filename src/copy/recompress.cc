#include "copy/recompress.h"

#include <fcntl.h>
#include <unistd.h>

#include "copy/byte_pipe.h"
#include "copy/download.h"
#include "core/digest.h"
#include "core/error.h"

namespace schicht::copy {

RecompressedLayer recompress_layer(ImageSource& source, const Descriptor& layer, Compression to,
                                   int level, const std::atomic<bool>* cancelled) {
  return with_context("recompressing blob " + layer.digest.str(), [&] {
    fs::path dir = temp_root();
    int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) fail_errno("create a temp file in", dir.string());
    UniqueFd file(fd);
    FdWriter out(file.get(), dir.string());
    HashingWriter hashed(&out);
    BytePipe pipe(kPipeCapacity, cancelled);
    PipeFeed read(pipe, [&](Writer& into) { source.get_blob(layer, into); });
    try {
      auto plain = decompress(pipe.reader());
      auto compressed = compress(hashed, to, level);
      copy_stream(*plain, *compressed);
      compressed->finish();
    } catch (const Error&) {
      // A broken read is the cause of whatever decompressing then saw.
      if (pipe.failed()) read.finish();
      throw;
    }
    read.finish();
    if (::lseek(file.get(), 0, SEEK_SET) != 0) fail_errno("seek", dir.string());
    Descriptor descriptor = layer;
    descriptor.size = static_cast<int64_t>(hashed.count());
    descriptor.digest = hashed.finish();
    return RecompressedLayer{.descriptor = std::move(descriptor), .file = std::move(file)};
  });
}

}  // namespace schicht::copy
