#include "trust/image_verifier.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.h"
#include "core/fs.h"
#include "trust/base64.h"
#include "trust/identity.h"
#include "trust/signature_payload.h"
#include "trust/sigstore_attachment.h"
#include "trust/sigstore_key.h"

namespace schicht::trust {
namespace {

// The public keys a sigstoreSigned requirement trusts.
std::vector<SigstoreKey> trusted_keys(const Requirement& r) {
  if (r.key_source == "fulcio" || r.key_source == "pki") {
    fail(ErrorKind::kUnsupported,
         fmt::format("sigstoreSigned with {:?} (certificate-based signatures) is not implemented",
                     r.key_source));
  }
  if (!r.rekor_source.empty()) {
    fail(ErrorKind::kUnsupported,
         fmt::format("sigstoreSigned with {:?} (Rekor transparency log) is not implemented",
                     r.rekor_source));
  }
  std::vector<SigstoreKey> keys;
  for (const std::string& path : r.key_paths) {
    std::string pem = with_context("reading sigstore public key", [&] { return read_file(path); });
    keys.push_back(load_sigstore_public_key(pem, path));
  }
  for (const std::string& data : r.key_datas) {
    std::string pem = base64_decode(data).value_or("");
    if (pem.empty()) fail(ErrorKind::kInvalidInput, "sigstoreSigned keyData is not base64");
    keys.push_back(load_sigstore_public_key(pem, "from keyData"));
  }
  return keys;
}

}  // namespace

void ImageVerifier::verify(const Requirement& requirement, const Signature& signature,
                           const std::string& image) {
  if (requirement.type == "sigstoreSigned") {
    if (signature.format != "sigstore") {
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
  std::vector<SigstoreKey> keys = trusted_keys(requirement);
  if (signature.sigstore_signature.empty()) {
    fail(ErrorKind::kPolicy, fmt::format("invalid signature: the signature layer has no {} "
                                         "annotation",
                                         kSigstoreSignatureAnnotation));
  }
  // Nothing in the payload is looked at before the signature checks out.
  verify_payload(keys, signature.bytes, signature.sigstore_signature);
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
