#include "trust/image_verifier.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.h"
#include "core/fs.h"
#include "trust/base64.h"
#include "trust/fulcio.h"
#include "trust/identity.h"
#include "trust/rekor.h"
#include "trust/signature_payload.h"
#include "trust/sigstore_attachment.h"
#include "trust/sigstore_bundle.h"
#include "trust/sigstore_key.h"

namespace schicht::trust {
namespace {

// The log entry of a `.sig` signature whose policy names a Rekor key (cosign's bundle
// annotation), its SET verified; whether it is for this signature is checked once the signer
// is known (check_rekor_body).
RekorEntry logged_entry(const Signature& signature, const std::vector<SigstoreKey>& rekor) {
  auto bundle = signature.annotations.find(std::string(kCosignBundleAnnotation));
  if (bundle == signature.annotations.end()) {
    reject_signature("timestamp", fmt::format("the signature has no {} annotation, and the policy "
                                              "requires a Rekor entry",
                                              kCosignBundleAnnotation));
  }
  RekorEntry entry = parse_cosign_rekor_bundle(bundle->second);
  verify_rekor_set(entry, rekor);
  return entry;
}

}  // namespace

void ImageVerifier::verify(const Requirement& requirement, const Signature& signature,
                           const std::string& image) {
  if (requirement.type == "sigstoreSigned") {
    if (signature.format != kSigstore && signature.format != kSigstoreBundle) {
      fail(ErrorKind::kPolicy, fmt::format("{} has a {} signature, sigstoreSigned needs a "
                                           "sigstore signature",
                                           image, signature.format));
    }
    return verify_sigstore(requirement, signature);
  }
  if (requirement.type == "signedBy") {
    if (signature.format != "simple-signing") {
      fail(ErrorKind::kPolicy, fmt::format("{} has a {} signature, signedBy needs a GPG "
                                           "simple-signing signature",
                                           image, signature.format));
    }
    return verify_simple_signing(requirement, signature);
  }
  fail(ErrorKind::kInternal,
       fmt::format("requirement {} has no signature check", requirement.type));
}

void ImageVerifier::verify_sigstore(const Requirement& requirement, const Signature& signature) {
  if (requirement.key_source == "pki") {
    fail(ErrorKind::kUnsupported,
         "sigstoreSigned with \"pki\" (certificate-based signatures) is not implemented");
  }
  if (signature.format == kSigstoreBundle) {
    return verify_sigstore_bundle(signature.bytes, Digest::sha256_of(manifest_), requirement);
  }
  if (signature.sigstore_signature.empty()) {
    fail(ErrorKind::kPolicy, fmt::format("invalid signature: the signature layer has no {} "
                                         "annotation",
                                         kSigstoreSignatureAnnotation));
  }
  std::vector<SigstoreKey> rekor = rekor_keys(requirement);
  if (requirement.fulcio && rekor.empty()) {
    fail(ErrorKind::kInvalidInput, "sigstoreSigned fulcio requires a Rekor key");
  }
  std::optional<RekorEntry> entry;
  if (!rekor.empty()) entry = logged_entry(signature, rekor);
  std::string raw_signature = base64_decode(signature.sigstore_signature).value_or("");
  std::optional<SigstoreKey> signer;
  if (requirement.fulcio) {
    auto cert = signature.annotations.find(std::string(kCosignCertificateAnnotation));
    if (cert == signature.annotations.end()) {
      reject_signature("certificate", fmt::format("the signature has no {} annotation, and the "
                                                  "policy requires a Fulcio certificate",
                                                  kCosignCertificateAnnotation));
    }
    Certificate leaf = parse_certificates_pem(cert->second, "the certificate annotation").front();
    std::vector<Certificate> chain;
    if (auto c = signature.annotations.find(std::string(kCosignChainAnnotation));
        c != signature.annotations.end()) {
      chain = parse_certificates_pem(c->second, "the chain annotation");
    }
    verify_fulcio_certificate(leaf, chain, fulcio_roots(*requirement.fulcio), *requirement.fulcio,
                              entry->integrated_time);
    signer = leaf.public_key();
    if (raw_signature.empty() || !verifies(*signer, signature.bytes, raw_signature)) {
      reject_signature("payload",
                       "the signature does not verify with the certificate's key (the "
                       "payload or the signature was altered)");
    }
  } else {
    std::vector<SigstoreKey> keys = trusted_sigstore_keys(requirement);
    // Nothing in the payload is looked at before the signature checks out.
    verify_payload(keys, signature.bytes, signature.sigstore_signature);
    for (const SigstoreKey& key : keys) {
      if (verifies(key, signature.bytes, raw_signature)) signer = key;
    }
  }
  if (entry) {
    check_rekor_body(*entry, LoggedSignature{.signature = raw_signature,
                                             .signer = *signer,
                                             .signed_sha256_hex = std::string(
                                                 Digest::sha256_of(signature.bytes).hex())});
  }
  check_claims(requirement, signature.bytes, kSigstorePayloadType);
}

namespace {

// The keyrings a signedBy requirement trusts: each keyPath's file, or keyData decoded.
std::vector<std::string> gpg_keyrings(const Requirement& r) {
  std::vector<std::string> keyrings;
  for (const std::string& path : r.key_paths) {
    keyrings.push_back(with_context("reading signedBy key", [&] { return read_file(path); }));
  }
  for (const std::string& data : r.key_datas) {
    std::optional<std::string> keyring = base64_decode(data);
    if (!keyring) fail(ErrorKind::kInvalidInput, "signedBy keyData is not base64");
    keyrings.push_back(*keyring);
  }
  return keyrings;
}

}  // namespace

void ImageVerifier::verify_simple_signing(const Requirement& requirement,
                                          const Signature& signature) {
  std::unique_ptr<GpgVerifier>& gpg = gpg_[&requirement];
  if (!gpg) {
    std::string origin =
        requirement.key_paths.empty()
            ? requirement.key_source
            : fmt::format("{} {}", requirement.key_source, fmt::join(requirement.key_paths, ", "));
    gpg = std::make_unique<GpgVerifier>(gpg_keyrings(requirement), origin);
  }
  // Nothing in the payload is looked at before the signature checks out.
  GpgVerified verified = gpg->verify(signature.bytes);
  check_claims(requirement, verified.payload, kSimpleSigningPayloadType);
}

void ImageVerifier::check_claims(const Requirement& requirement, std::string_view payload,
                                 std::string_view type) {
  SignedClaims claims = parse_payload(payload, type);
  if (!manifest_matches(manifest_, claims.manifest_digest)) {
    fail(ErrorKind::kPolicy,
         fmt::format("signature for another digest: it signs manifest {}, the image's manifest "
                     "is {}",
                     claims.manifest_digest.str(), Digest::sha256_of(manifest_).str()));
  }
  check_identity(requirement.signed_identity, image_, claims.docker_reference);
}

}  // namespace schicht::trust
