// `image trust set` and `image trust show` on policy.json, as podman 4.3 has them: the file
// rewritten as podman's Go structs marshal it, and the rows `show` lists.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "trust/policy.h"
#include "trust/registries_d.h"

namespace schicht::trust {

// trust set: the requirements of `type` (accept, reject, signedBy, sigstoreSigned; the last
// two need `keys`) become the default (`scope` "default") or those of the docker scope. The
// file at `path` must be a valid policy (it may be missing only for "default"); the text
// written must read back as one. kInvalidInput, with podman's message, for a bad type, missing
// keys or a bad scope; nothing is written then.
void set_trust(const std::string& path, const std::string& scope, const std::string& type,
               const std::vector<std::string>& keys);

// The policy file's bytes (`trust show --raw`).
std::string read_policy_text(const std::string& path);

// podman's rendering of a policy document: json.MarshalIndent with four spaces, transports
// and scopes sorted, requirement keys in its struct order.
std::string policy_text(const nlohmann::ordered_json& doc);

// One row of `trust show`.
struct TrustRow {
  std::string transport, name, repo_name, type, gpg_id, store;
};

// The rows `trust show` lists: the default, then each transport's scopes. A signedBy row's
// gpg_id lists its keys' user IDs; a key that cannot be read is passed to `warn` and leaves
// it empty, as in podman.
std::vector<TrustRow> trust_rows(const Policy& policy, const RegistriesD& lookaside,
                                 const std::function<void(const std::string&)>& warn);

}  // namespace schicht::trust
