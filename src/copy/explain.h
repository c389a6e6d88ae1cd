// `image trust explain` of an image not in the store: the policy's verdict on pulling it, and
// (from a registry) the signatures and attestations found beside it (supply_chain.h). A file
// or directory source is judged as a pull of it is (transport/source_policy.h), with no
// signatures. Nothing is stored.
#pragma once

#include <optional>
#include <string>

#include "copy/supply_chain.h"
#include "registry/registry_client.h"
#include "trust/evaluate.h"
#include "trust/policy.h"

namespace schicht::copy {

struct Explanation {
  trust::Subject subject;            // its name and the scopes tried, most specific first
  trust::Decision decision;          // its match points into the policy given
  std::optional<SupplyChain> chain;  // a registry image's evidence, unless not looked for
};

// `text`: a local transport name, docker://REF or a bare reference. `registries_d` is the
// registries.d directory (empty: the default). With `policy_only`, or when the scope rejects
// outright (a pull of it reads nothing), the registry is not asked for evidence.
Explanation explain_source(const trust::Policy& policy, const std::string& text,
                           const std::string& registries_d,
                           const registry::RegistryOptions& options, bool policy_only);

}  // namespace schicht::copy
