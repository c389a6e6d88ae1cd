// Attaching an SBOM to an image in a registry as an OCI 1.1 referrer: an artifact manifest
// (artifactType the document's media type, the empty config, the document its one layer, the
// image's manifest its subject), and the referrers tag schema's fallback index
// (`sha256-<hex>` in the same repository) updated to list it, for registries without the
// referrers API. Deliberately small: the general artifact and referrer code belongs to the
// copy engine's artifacts work, onto which this is to be merged.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/digest.h"
#include "registry/registry_client.h"

namespace schicht::sbom {

struct ReferrerSubject {
  std::string media_type;  // the image manifest's
  Digest digest;
  uint64_t size = 0;
};

struct Attached {
  Digest manifest;       // the artifact manifest's digest
  std::string fallback;  // the fallback tag that lists it: "sha256-<hex>"
};

// The manifest in `repository` of the image whose config is `config_digest`: the first of
// `candidates` (tags or digests, in order) that names an image manifest with that config (a
// push may have compressed the layers, and so changed the manifest, never the config). kNotFound
// when none does.
ReferrerSubject find_subject(registry::RegistryClient& client, std::string_view repository,
                             const std::vector<std::string>& candidates,
                             const Digest& config_digest);

// Pushes `document` (of media type `artifact_type`) as a referrer of `subject` in
// `repository`. `created` (RFC 3339) is the artifact's org.opencontainers.image.created. A
// fallback tag that holds something other than an image index fails with kConflict, nothing
// of it changed.
Attached attach_referrer(registry::RegistryClient& client, std::string_view repository,
                         const ReferrerSubject& subject, std::string_view artifact_type,
                         std::string_view document, std::string_view title,
                         std::string_view created);

}  // namespace schicht::sbom
