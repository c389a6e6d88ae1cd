// Sigstore bundles attached to an image as OCI referrers (trust/sigstore_bundle.h has the
// format), as cosign attaches them: a manifest whose subject is the image, whose artifactType
// is application/vnd.dev.sigstore.bundle.v0.3+json and whose one layer is the bundle JSON.
//
// Internal to copy/.
#pragma once

#include <string>
#include <vector>

#include "copy/registry_signature_source.h"
#include "core/digest.h"

namespace schicht::copy {

// The bundles referring to `manifest_digest` in `repository` (the referrers API, or its
// fallback tag), as kSigstoreBundle signatures; none when nothing refers to it. A bundle blob
// that does not match its digest is kPolicy (tampered).
class SigstoreBundleSource : public RegistrySignatureSource {
 public:
  using RegistrySignatureSource::RegistrySignatureSource;
  std::vector<trust::Signature> signatures() override;
};

}  // namespace schicht::copy
