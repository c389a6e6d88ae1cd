// The SignatureVerifier for an image whose manifest is in hand: checks a signature against a
// requirement cryptographically, then its payload's digest against the manifest, then its
// identity against signedIdentity. Each failure is a kPolicy message saying which it was
// ("not signed by a trusted key", "signature for another digest", "signature for another
// identity", "invalid signature payload"); unimplemented key sources are kUnsupported.
//
// sigstoreSigned takes keys or a Fulcio CA (fulcio.h), with a Rekor key (rekor.h) when the
// policy names one: a `.sig` signature then carries cosign's certificate, chain and bundle
// annotations, checked as "invalid signature (certificate|issuer|identity|payload|timestamp)".
// A Sigstore bundle found as a referrer (kSigstoreBundle) goes to sigstore_bundle.h.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "core/reference.h"
#include "trust/evaluate.h"
#include "trust/gpg.h"

namespace schicht::trust {

class ImageVerifier : public SignatureVerifier {
 public:
  // `image`: the reference asked for (the identity); `manifest`: the image's manifest bytes.
  ImageVerifier(Reference image, std::string manifest)
      : image_(std::move(image)), manifest_(std::move(manifest)) {}

  void verify(const Requirement& requirement, const Signature& signature,
              const std::string& image) override;

 private:
  void verify_sigstore(const Requirement& requirement, const Signature& signature);
  void verify_simple_signing(const Requirement& requirement, const Signature& signature);
  // The payload's claims, once its signature verified: digest, then identity.
  void check_claims(const Requirement& requirement, std::string_view payload,
                    std::string_view type);

  // One temporary GnuPG home per signedBy requirement, made when first needed.
  std::map<const Requirement*, std::unique_ptr<GpgVerifier>> gpg_;

  Reference image_;
  std::string manifest_;
};

}  // namespace schicht::trust
