// Pulling by the name a user typed, when it names one of the transports podman's pull accepts
// besides docker://: oci-archive:, docker-archive:, oci: (an OCI layout directory) and dir:
// (containers/image's directory layout), through the copy engine (store_input.h). (push writes
// them through the engine too: push.h.)
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "copy/store_input.h"
#include "core/digest.h"
#include "store/store.h"
#include "trust/policy.h"

namespace schicht::copy {

// Pulls from a local transport (copy/store_input.h: policy.json first, in the engine); nullopt
// when `text` names no local transport. `policy` is null only for --insecure-policy; `jobs`
// blobs move at once. `referrers`: pull --referrers from oci: and oci-archive:. `unpack`: pull
// --unpack.
std::optional<std::vector<Digest>> pull_local_by_name(store::Store& store, const std::string& text,
                                                      const trust::Policy* policy, size_t jobs,
                                                      const LoadReferrers& referrers = {},
                                                      bool unpack = false);

}  // namespace schicht::copy
