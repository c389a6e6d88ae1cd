// The transports podman's pull and push accept besides docker://: oci-archive:, docker-archive:,
// oci: (an OCI layout directory) and dir: (containers/image's directory layout). They reuse
// load and save (transport/local_pull.h, transport/archive_save.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/digest.h"
#include "store/store.h"
#include "trust/policy.h"

namespace schicht::cli {

// Pulls from a local transport (transport/local_pull.h: policy.json first); nullopt when
// `text` names no local transport. `policy` is null only for --insecure-policy.
std::optional<std::vector<Digest>> pull_local(store::Store& store, const std::string& text,
                                              const trust::Policy* policy);

// Pushes `image` to a local transport; false when `destination` names no local transport.
// `compress` (dir: only) gzips the layers stored uncompressed.
bool push_local(store::Store& store, const Digest& image, const std::vector<std::string>& names,
                const std::string& destination, bool compress = false);

}  // namespace schicht::cli
