// Artifacts and referrers in registries (OCI distribution spec 1.1): push and pull of stored
// artifacts, attaching an artifact to a manifest in a registry (its `subject`), and listing
// what refers to a manifest.
//
// Referrers: after a manifest with a subject is pushed, the registry is asked for the
// referrers API (GET /v2/<name>/referrers/<digest>); a registry that answers maintains the
// list itself. One that answers 404 gets the referrers tag schema: the tag
// `sha256-<subject hex>` holds an image index of referrer descriptors, which the pusher fetches,
// extends by the new descriptor (artifactType, annotations) and pushes back. That update is a
// read-modify-write without a lock on the registry side: two pushers at once may lose one
// descriptor, as the spec accepts.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "artifacts/local.h"
#include "copy/options.h"
#include "core/digest.h"
#include "core/reference.h"
#include "oci/descriptor.h"
#include "oci/manifest.h"
#include "registry/registries_conf.h"
#include "registry/registry_client.h"
#include "store/store.h"

namespace schicht::artifacts {

// `artifact push`: the artifact `name` (as typed) to `destination` (nullopt: its own name);
// blobs the repository has are skipped; a subject's referrers are recorded. Returns the
// pushed manifest's digest.
Digest push_artifact(store::Store& store, std::string_view name,
                     const std::optional<Reference>& destination,
                     const registry::RegistriesConf& conf, const copy::TransferOptions& options);

// `artifact pull`: the artifact at `source` stored under its name; an image manifest or an
// index is refused (kInvalidInput). Returns its digest.
Digest pull_artifact(store::Store& store, const Reference& source,
                     const registry::RegistriesConf& conf, const copy::TransferOptions& options,
                     bool replace = true);

// A blob of an artifact built in memory (a file's bytes, an SBOM document).
struct ReferrerBlob {
  std::string media_type;
  std::string bytes;
  std::map<std::string, std::string> annotations;  // e.g. org.opencontainers.image.title
};

// Builds an artifact manifest (the empty config, `layers`, `artifact_type`, `annotations`,
// subject `subject`), pushes its blobs and itself by digest to `repository` (its domain and
// path count), and records it as a referrer of `subject`. For callers below the CLI, such as
// an SBOM attached to an image in a registry. Returns the artifact manifest's digest.
Digest attach_referrer(const Reference& repository, const registry::RegistriesConf& conf,
                       const copy::TransferOptions& options, const Descriptor& subject,
                       std::string_view artifact_type, const std::vector<ReferrerBlob>& layers,
                       const std::map<std::string, std::string>& annotations = {});
// `artifact attach` to an image in a registry: an artifact of `files` (one layer each, of
// `file_type`, default kDefaultFileType, titled by its base name) attached to the manifest
// `subject` names. Returns the artifact manifest's digest.
Digest attach_files(const Reference& subject, const registry::RegistriesConf& conf,
                    const copy::TransferOptions& options, std::string_view artifact_type,
                    std::string_view file_type, const std::vector<std::string>& files,
                    const std::map<std::string, std::string>& annotations);
// The same through a client the caller has (e.g. one made with the caller's --creds).
Digest attach_referrer(registry::RegistryClient& client, std::string_view repository,
                       const Descriptor& subject, std::string_view artifact_type,
                       const std::vector<ReferrerBlob>& layers,
                       const std::map<std::string, std::string>& annotations = {});

// Records the pushed artifact manifest `manifest` (with a subject) as a referrer in
// `repository`: nothing when the registry offers the referrers API, else the tag schema.
void record_referrer(registry::RegistryClient& client, std::string_view repository,
                     const Manifest& manifest);

// The descriptor of the manifest `reference` names in its registry (HEAD, else GET).
Descriptor remote_descriptor(registry::RegistryClient& client, const Reference& reference);

struct Referrers {
  std::vector<Descriptor> manifests;
  bool from_api = false;  // false: the referrers tag schema (or nothing: no such tag)
};
// What refers to `subject` in `repository`: the referrers API, else the fallback tag.
Referrers remote_referrers(registry::RegistryClient& client, std::string_view repository,
                           const Digest& subject);

// `artifact discover` of an image in a registry: the manifest `reference` names and what
// refers to it there.
Discovered discover_remote(const Reference& reference, const registry::RegistriesConf& conf,
                           const copy::TransferOptions& options);

// The referrers tag schema's tag for `subject`: "sha256-<hex>".
std::string referrers_tag(const Digest& subject);

}  // namespace schicht::artifacts
