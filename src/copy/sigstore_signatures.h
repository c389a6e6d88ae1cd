// Sigstore signatures in a registry (trust/sigstore_attachment.h has the format): reading them
// for the policy check of a pull, and adding one after a push.
//
// Internal to copy/.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "copy/registry_signature_source.h"
#include "core/digest.h"
#include "core/reference.h"
#include "registry/registry_client.h"
#include "trust/evaluate.h"
#include "trust/registries_d.h"
#include "trust/sigstore_key.h"

namespace schicht::copy {

// The signatures attached to `manifest_digest` in `repository`: none when there is no
// attachment. A payload blob that does not match its digest is kPolicy (tampered).
class SigstoreAttachmentSource : public RegistrySignatureSource {
 public:
  using RegistrySignatureSource::RegistrySignatureSource;
  std::vector<trust::Signature> signatures() override;
};

// Signs `manifest_digest` as `docker_reference` with `key` and adds the signature to the
// repository's attachment (created when absent; unchanged when the same signature is there).
void push_sigstore_signature(registry::RegistryClient& client, std::string_view repository,
                             const Digest& manifest_digest, const std::string& docker_reference,
                             const trust::SigstoreKey& key);

// Adds a signature made elsewhere (its payload, base64 signature and the layer's other
// annotations) to the attachment of `manifest_digest`, as push_sigstore_signature adds its own.
// image copy carries signatures along this way; the annotations (a keyless signature's
// certificate, chain and Rekor bundle) are kept byte for byte, so the copy still verifies.
void attach_sigstore_signature(registry::RegistryClient& client, std::string_view repository,
                               const Digest& manifest_digest, const std::string& payload,
                               const std::string& signature,
                               const std::map<std::string, std::string>& annotations = {});

// Whether registries.d lets signatures be attached in the registry of `reference`
// (use-sigstore-attachments), as containers/image requires for both reading and writing them.
// `config` is loaded from the default locations when null. Writing when disabled is kPolicy.
void require_sigstore_attachments(std::shared_ptr<const trust::RegistriesD>& config,
                                  const Reference& reference);

}  // namespace schicht::copy
