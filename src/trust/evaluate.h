// Evaluating a policy for one image: every requirement of the applicable scope must accept it.
//
// Signatures are fetched by the caller (SignatureSource, e.g. copy/signatures.h and
// copy/sigstore_signatures.h for registry images); checking them is a SignatureVerifier's job
// (image_verifier.h: GPG simple signing and sigstore). Without a verifier, an image that has
// signatures under a signature requirement fails with kUnsupported, and one without signatures is
// rejected as unsigned. Nothing here pretends to have verified a signature.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "trust/policy.h"
#include "trust/scope.h"

namespace schicht::trust {

inline constexpr std::string_view kSimpleSigning = "simple-signing";
inline constexpr std::string_view kSigstore = "sigstore";
// A Sigstore bundle (trust/sigstore_bundle.h) found as a referrer of the image.
inline constexpr std::string_view kSigstoreBundle = "sigstore-bundle";

struct Signature {
  std::string format;  // kSimpleSigning, kSigstore or kSigstoreBundle
  // simple-signing: the OpenPGP signed message; sigstore: the payload JSON (the layer blob);
  // sigstore-bundle: the bundle JSON.
  std::string bytes;
  // sigstore: the base64 signature of `bytes` (annotation dev.cosignproject.cosign/signature)
  // and the layer's other annotations (certificate, chain, bundle).
  std::string sigstore_signature;
  std::map<std::string, std::string> annotations;
  std::string origin;  // where it was found, for messages: a URL, "sigstore attachment 1"
};

class SignatureSource {
 public:
  virtual ~SignatureSource() = default;
  virtual std::vector<Signature> signatures() = 0;
  // Why there may be none, added to an "unsigned" rejection; empty when the source searched.
  virtual std::string limitation() const { return ""; }
};

// For transports and callers that have no signatures to offer.
class NoSignatures : public SignatureSource {
 public:
  std::vector<Signature> signatures() override { return {}; }
  std::string limitation() const override {
    return "signatures are only looked for on registry pulls";
  }
};

// The image being admitted.
struct Subject {
  std::string transport;            // "docker", "docker-archive", "oci-archive", ...
  std::string name;                 // for messages: "docker://host/a:1"
  std::vector<std::string> scopes;  // candidates, most specific first (scope.h)
};

class SignatureVerifier {
 public:
  virtual ~SignatureVerifier() = default;
  // Throws kPolicy when `signature` does not satisfy `requirement` for `image`.
  virtual void verify(const Requirement& requirement, const Signature& signature,
                      const std::string& image) = 0;
};

struct Decision {
  bool accepted = false;
  ScopeMatch match;
  std::string requirement;  // the requirement that decided a rejection
  std::string reason;       // podman's words for a rejection
  // One line per signature checked: "ORIGIN: accepted by signedBy" or "ORIGIN: <why not>".
  std::vector<std::string> checked;
};

// True when the scope that applies to `subject` has a signature requirement (and no
// `reject`, which decides without any): the caller must then fetch the manifest and the
// signatures before evaluating.
bool needs_signatures(const Policy& policy, const Subject& subject);

// `verifier` may be null: then signatures found cannot be checked (kUnsupported).
Decision evaluate(const Policy& policy, const Subject& subject, SignatureSource& signatures,
                  SignatureVerifier* verifier = nullptr);

// Throws kPolicy with podman's message plus the scope and requirement when rejected.
void enforce(const Decision& decision);
// The message enforce() throws for a rejection.
std::string rejection_message(const Decision& decision);

// Evaluate, then enforce.
void admit(const Policy& policy, const Subject& subject, SignatureSource& signatures,
           SignatureVerifier* verifier = nullptr);

}  // namespace schicht::trust
