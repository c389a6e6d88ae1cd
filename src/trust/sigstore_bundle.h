// Sigstore bundles (application/vnd.dev.sigstore.bundle.v0.3+json), as cosign attaches them to
// an image as OCI referrers: the protobuf-JSON of a signature and what verifies it offline.
//
//   verificationMaterial: certificate{rawBytes} | x509CertificateChain{certificates[]} |
//                         publicKey{hint}; tlogEntries[]{logIndex, logId{keyId},
//                         integratedTime, inclusionPromise{signedEntryTimestamp},
//                         canonicalizedBody}
//   messageSignature{messageDigest{algorithm, digest}, signature}   the manifest digest signed
//   dsseEnvelope{payload, payloadType, signatures[]{sig}}           an in-toto statement whose
//                                                                   subject names the manifest
//
// The signer is a trusted key (keyPath/keyData) or a Fulcio certificate (fulcio, fulcio.h); with
// a Rekor key (always with fulcio), a log entry's signed entry timestamp must verify and
// describe this signature (rekor.h). A bundle carries no docker reference, so signedIdentity is
// not checked for it: what it binds is the manifest digest.
//
// Rejections are kPolicy "invalid signature (WHICH): ..." (bundle, payload, certificate, issuer,
// identity, timestamp).
#pragma once

#include <string_view>

#include "core/digest.h"
#include "trust/policy.h"

namespace schicht::trust {

inline constexpr std::string_view kSigstoreBundleType =
    "application/vnd.dev.sigstore.bundle.v0.3+json";

void verify_sigstore_bundle(std::string_view bundle, const Digest& manifest_digest,
                            const Requirement& requirement);

}  // namespace schicht::trust
