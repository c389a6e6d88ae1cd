// What the signature sources that read one manifest's signatures from a registry share: the
// registry, the repository and the manifest they ask about.
//
// Internal to copy/.
#pragma once

#include <string>
#include <utility>

#include "core/digest.h"
#include "registry/registry_client.h"
#include "trust/evaluate.h"

namespace schicht::copy {

class RegistrySignatureSource : public trust::SignatureSource {
 public:
  RegistrySignatureSource(registry::RegistryClient& client, std::string repository,
                          Digest manifest_digest)
      : client_(client), repository_(std::move(repository)), digest_(std::move(manifest_digest)) {}

 protected:
  registry::RegistryClient& client_;
  std::string repository_;
  Digest digest_;
};

}  // namespace schicht::copy
