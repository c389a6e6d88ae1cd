// What signatures and attestations an image has, for `image trust explain`: in its registry
// (simple signing signatures in lookaside storage, sigstore `.sig` attachments, and every OCI
// referrer: Sigstore bundles, SBOMs, in-toto attestations, ...); the CLI lists a local
// image's stored referrers (artifacts/local.h) with referrer_evidence. Each signature the policy in
// force can judge is checked against the requirements that apply (ImageVerifier), and the verdict
// says why not when it fails. Nothing is stored; a registry that cannot be reached or an image that
// does not exist is an error, not an empty list.
#pragma once

#include <string>
#include <vector>

#include "core/digest.h"
#include "core/reference.h"
#include "registry/registries_conf.h"
#include "registry/registry_client.h"
#include "trust/evaluate.h"
#include "trust/policy.h"
#include "trust/registries_d.h"

namespace schicht::copy {

struct Evidence {
  // "simple-signing", "sigstore", "sigstore-bundle" (signatures) or "referrer".
  std::string kind;
  std::string origin;         // a lookaside URL, "sigstore attachment TAG layer DIGEST", ...
  std::string artifact_type;  // referrers: their artifactType (or config media type)
  std::string signer;         // sigstore: "keyless EMAIL (issuer ISSUER)" or "key"; empty otherwise
  // "verified by sigstoreSigned", "rejected by signedBy: WHY", or "not judged: WHY".
  std::string verdict;
};

struct SupplyChain {
  Digest manifest_digest;
  std::vector<Evidence> found;
};

// The evidence of the image `identity` names in its registry (for this machine's platform),
// judged under the requirements `policy` applies to `subject`.
SupplyChain registry_supply_chain(const trust::Policy& policy, const trust::Subject& subject,
                                  const trust::RegistriesD& config, const Reference& identity,
                                  const registry::RegistriesConf& conf,
                                  const registry::RegistryOptions& options);

// A referrer's entry: a Sigstore bundle is a signature kind, anything else (an SBOM, an in-toto
// attestation) a "referrer" of `artifact_type`. `verdict` as given.
Evidence referrer_evidence(const std::string& origin, const std::string& artifact_type,
                           std::string verdict);

}  // namespace schicht::copy
