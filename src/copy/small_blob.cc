#include "copy/small_blob.h"

#include <string>

#include <fmt/format.h>

#include "core/error.h"

namespace schicht::copy {

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
