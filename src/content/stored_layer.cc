#include "content/stored_layer.h"

#include <string>

namespace schicht {

StoredLayerReader::StoredLayerReader(const BlobStore& blobs, const Digest& digest,
                                     std::string_view name)
    : fd_(blobs.open(digest)),
      raw_(fd_.get(), name.empty() ? digest.str() : std::string(name)),
      plain_(decompress(raw_)) {}

Compression stored_compression(const BlobStore& blobs, const Digest& digest) {
  UniqueFd fd = blobs.open(digest);
  FdReader reader(fd.get(), blobs.path_of(digest).string());
  std::string head(kCompressionMagicSize, '\0');
  size_t got = 0;
  while (got < head.size()) {
    size_t n = reader.read(head.data() + got, head.size() - got);
    if (n == 0) break;
    got += n;
  }
  head.resize(got);
  return detect_compression(head);
}

}  // namespace schicht
