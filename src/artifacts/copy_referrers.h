// `image copy --referrers`: after an image was copied between registries with its digest
// unchanged, the manifests that refer to it (and, in turn, those that refer to them: a
// signature of an SBOM) are copied too, byte-exact, and recorded as referrers at the
// destination (referrers API, else the tag schema; remote.h).
#pragma once

#include <cstddef>

#include "copy/options.h"
#include "core/reference.h"
#include "registry/registries_conf.h"
#include "registry/registry_client.h"

namespace schicht::artifacts {

// Referrers of referrers are followed this deep (a signature of an SBOM of an image is 2); pull
// and push --referrers (carry_referrers.h) go as deep.
inline constexpr int kMaxReferrerDepth = 4;

// Copies the referrers of the manifest `source` names to `destination`'s repository. kIntegrity
// (nothing copied) when `destination` does not hold the very manifest `source` names (the copy
// changed its digest, so the referrers' subject would be wrong). Returns how many manifests were
// copied.
size_t copy_referrers(const Reference& source, const registry::RegistryOptions& source_options,
                      const Reference& destination,
                      const registry::RegistryOptions& destination_options,
                      const registry::RegistriesConf& conf, const copy::ReportLine& report);

}  // namespace schicht::artifacts
