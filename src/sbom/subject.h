// Which manifest in a registry is a stored image: what an SBOM is attached to as a referrer
// (the push itself is artifacts::attach_referrer's).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/digest.h"
#include "oci/descriptor.h"
#include "registry/registry_client.h"

namespace schicht::sbom {

// The manifest in `repository` of the image whose config is `config_digest`: the first of
// `candidates` (tags or digests, in order) that names an image manifest with that config (a
// push may have compressed the layers, and so changed the manifest, never the config). kNotFound
// when none does.
Descriptor find_subject(registry::RegistryClient& client, std::string_view repository,
                        const std::vector<std::string>& candidates, const Digest& config_digest);

}  // namespace schicht::sbom
