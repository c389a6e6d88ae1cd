// Sigstore bundles attached to an image as OCI referrers (trust/sigstore_bundle.h has the
// format), as cosign attaches them: a manifest whose subject is the image, whose artifactType
// is application/vnd.dev.sigstore.bundle.v0.3+json and whose one layer is the bundle JSON.
//
// Internal to copy/.
#pragma once

#include <string>
#include <vector>

#include "core/digest.h"
#include "registry/registry_client.h"
#include "trust/evaluate.h"

namespace schicht::copy {

// The bundles referring to `manifest_digest` in `repository` (the referrers API, or its
// fallback tag), as kSigstoreBundle signatures; none when nothing refers to it. A bundle blob
// that does not match its digest is kPolicy (tampered).
class SigstoreBundleSource : public trust::SignatureSource {
 public:
  SigstoreBundleSource(registry::RegistryClient& client, std::string repository,
                       Digest manifest_digest)
      : client_(client), repository_(std::move(repository)), digest_(std::move(manifest_digest)) {}
  std::vector<trust::Signature> signatures() override;

 private:
  registry::RegistryClient& client_;
  std::string repository_;
  Digest digest_;
};

}  // namespace schicht::copy
