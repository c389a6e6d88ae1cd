// signedIdentity matching (containers-policy.json(5)): whether the docker-reference a signature
// claims is acceptable for the image being admitted. Shared by simple signing and sigstore.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/reference.h"
#include "trust/policy.h"

namespace schicht::trust {

// Throws kPolicy "signature for another identity: ..." when `signed_reference` (as the payload
// says it; normalized before comparing) does not match `image` under `identity` (absent means
// matchRepoDigestOrExact). `image` is the reference the user asked for, normalized.
void check_identity(const std::optional<SignedIdentity>& identity, const Reference& image,
                    std::string_view signed_reference);

// The same as a predicate; an unparsable signed reference does not match.
bool identity_matches(const std::optional<SignedIdentity>& identity, const Reference& image,
                      std::string_view signed_reference);

}  // namespace schicht::trust
