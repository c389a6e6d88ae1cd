// pull from the local transports: oci-archive:, docker-archive:, oci: (an OCI layout directory)
// and dir: (containers/image's directory layout). They reuse load: a directory is read by
// streaming it as the equivalent oci-archive. policy.json is evaluated for the source as the
// user named it (source_policy.h) before any file of it is read.
//
// Which image, as containers/image chooses: an archive or layout must hold one unless REF names
// one (docker-archive: a RepoTags name, or "@N"; oci:, oci-archive: a ref.name).
// Names as podman 4.3 gives them: oci-archive: the ref.name annotation, docker-archive: the
// RepoTags, oci:DIR[:REF] "localhost/DIR:latest" (DIR as typed, whatever REF says), dir: none.
#pragma once

#include <vector>

#include "store/store.h"
#include "transport/archive_load.h"
#include "transport/transport_name.h"
#include "trust/policy.h"

namespace schicht::transport {

// `source` must be a local transport (TransportRef::is_local). `policy` is null only for
// --insecure-policy.
std::vector<LoadedImage> pull_local(store::Store& store, const TransportRef& source,
                                    const trust::Policy* policy);

}  // namespace schicht::transport
