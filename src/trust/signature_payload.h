// The signed payload of simple signing and of sigstore signatures: a JSON claim that a manifest
// digest is the image named by a docker reference (containers-signature(5)).
//
// {"critical":{"identity":{"docker-reference":REF},"image":{"docker-manifest-digest":DIGEST},
//              "type":TYPE},"optional":{"creator":...,"timestamp":...}}
//
// Parse it only after its signature verified. Parsing is strict where containers/image is:
// the top level has exactly `critical` and `optional`; `critical` exactly `type`, `image` and
// `identity`, each of those exactly its one member; `type` is the one expected. `optional` may be
// null or hold unknown members, but a `creator` must be a string and a `timestamp` an integer.
// Every failure is kPolicy "invalid signature payload: ...".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/digest.h"

namespace schicht::trust {

inline constexpr std::string_view kSigstorePayloadType = "cosign container image signature";
inline constexpr std::string_view kSimpleSigningPayloadType = "atomic container signature";

struct SignedClaims {
  std::string docker_reference;  // as the signer wrote it: not validated here
  Digest manifest_digest;
  std::optional<std::string> creator;
  std::optional<int64_t> timestamp;
};

// The payload bytes containers/image writes: compact JSON, keys sorted.
std::string build_payload(std::string_view type, const SignedClaims& claims);

SignedClaims parse_payload(std::string_view bytes, std::string_view type);

// Whether `manifest` (its bytes) hashes to `signed_digest` with that digest's algorithm.
bool manifest_matches(std::string_view manifest, const Digest& signed_digest);

}  // namespace schicht::trust
