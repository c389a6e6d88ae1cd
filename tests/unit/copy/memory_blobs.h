// Helpers shared by the copy unit tests: a layer gzipped as a registry would serve it, a blob's
// descriptor, and blobs held in memory by digest (what the tests' in-memory images serve).
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "archive/compression.h"
#include "core/digest.h"
#include "core/io.h"
#include "oci/descriptor.h"

namespace schicht::copy {

inline std::string gzipped(const std::string& plain) {
  StringWriter out;
  auto gzip = compress(out, Compression::kGzip);
  gzip->write(plain);
  gzip->finish();
  return out.str();
}

inline Descriptor blob_of(const std::string& bytes, std::string_view type) {
  return Descriptor{.media_type = std::string(type),
                    .digest = Digest::sha256_of(bytes),
                    .size = static_cast<int64_t>(bytes.size())};
}

// Blobs by digest. The copy engine reads blobs from several threads at once; a blob once added
// stays where it is (std::map), so what at() returns outlives the lock.
class MemoryBlobs {
 public:
  Descriptor add(std::string bytes, std::string_view type) {
    Descriptor desc = blob_of(bytes, type);
    std::lock_guard lock(mutex_);
    blobs_[desc.digest] = std::move(bytes);
    return desc;
  }

  const std::string& at(const Digest& digest) const {
    std::lock_guard lock(mutex_);
    return blobs_.at(digest);
  }

 private:
  mutable std::mutex mutex_;
  std::map<Digest, std::string> blobs_;
};

}  // namespace schicht::copy
