// Rekor transparency log entries, checked offline: the signed entry timestamp (SET, Rekor's
// "inclusion promise") is the log's signature over the canonical JSON
// {"body":B64,"integratedTime":N,"logID":HEX,"logIndex":N}; the body is the logged entry, which
// must describe the very signature being checked (its bytes, its key or certificate, and the
// hash of what it signs).
//
// Rejections are kPolicy "invalid signature (timestamp): ..." (reject_signature).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "trust/policy.h"
#include "trust/sigstore_key.h"

namespace schicht::trust {

inline constexpr std::string_view kCosignCertificateAnnotation = "dev.sigstore.cosign/certificate";
inline constexpr std::string_view kCosignChainAnnotation = "dev.sigstore.cosign/chain";
inline constexpr std::string_view kCosignBundleAnnotation = "dev.sigstore.cosign/bundle";

struct RekorEntry {
  std::string body;  // base64 of the canonicalized entry JSON, as logged
  int64_t integrated_time = 0;
  int64_t log_index = 0;
  std::string log_id;  // hex SHA-256 of the log's public key (DER)
  std::string set;     // the signature, raw bytes
};

// The entry of cosign's dev.sigstore.cosign/bundle annotation:
// {"SignedEntryTimestamp":B64,"Payload":{"body":B64,"integratedTime":N,"logIndex":N,"logID":HEX}}.
RekorEntry parse_cosign_rekor_bundle(std::string_view annotation);

// The Rekor public keys a requirement trusts (rekorPublicKeyPath(s) / rekorPublicKeyData(s)).
std::vector<SigstoreKey> rekor_keys(const Requirement& requirement);

// The SET verifies with one of `keys`, and the log ID names that key.
void verify_rekor_set(const RekorEntry& entry, const std::vector<SigstoreKey>& keys);

// What the entry's body must describe: a signature (raw bytes) by `signer`, over content whose
// SHA-256 is `signed_sha256_hex` (hashedrekord: the signed bytes or message digest; dsse: the
// envelope's payload).
struct LoggedSignature {
  std::string signature;
  SigstoreKey signer;
  std::string signed_sha256_hex;
};
void check_rekor_body(const RekorEntry& entry, const LoggedSignature& expected);

}  // namespace schicht::trust
