// The policy check of a pull, in two steps: before anything is fetched, and, when the applicable
// requirements need signatures, once the image's manifest is known (signatures name a manifest
// digest) and before its config or any layer is fetched.
//
// Signatures come from lookaside storage (registries.d, copy/signatures.h) when a signedBy
// requirement applies, and from sigstore attachments in the registry the manifest came from
// when a sigstoreSigned requirement applies: `.sig` tag attachments and Sigstore bundles that
// refer to the image (copy/sigstore_bundles.h). Internal to copy/.
#pragma once

#include <memory>

#include "copy/pull.h"
#include "oci/manifest.h"
#include "registry/registry_client.h"
#include "trust/evaluate.h"

namespace schicht::copy {

class PullAdmission {
 public:
  // Checks the policy now unless the requirements need signatures; kPolicy when it rejects.
  PullAdmission(const PullOptions& options, const Reference& requested);

  // The first step again (no I/O; a no-op when it is deferred or there is no policy): the
  // engine's entry repeats it before it opens the source (pull.cc).
  void admit_unsigned() const;

  // The second step (a no-op when the first decided): `source` is the reference as the endpoint
  // serves it, `manifest` the image's own manifest (an index's instance).
  void check_manifest(registry::RegistryClient& client, const Reference& source,
                      const Manifest& manifest) const;
  // Whether check_manifest needs each image's manifest (the requirements need signatures).
  bool needs_manifests() const { return deferred_; }
  // What check_manifest decides, without throwing for a rejection (`image trust explain`).
  trust::Decision evaluate_manifest(registry::RegistryClient& client, const Reference& source,
                                    const Manifest& manifest) const;

 private:
  std::shared_ptr<const trust::RegistriesD> registries_d_;
  http::HttpOptions lookaside_http_;
  const trust::Policy* policy_ = nullptr;
  Reference requested_;
  trust::Subject subject_;
  bool deferred_ = false;
};

}  // namespace schicht::copy
