// The transports podman's pull accepts besides docker://: oci-archive:, docker-archive:,
// oci: (an OCI layout directory) and dir: (containers/image's directory layout), pulled through
// transport/local_pull.h. (push writes them through the copy engine: copy/push.h.)
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

}  // namespace schicht::cli
