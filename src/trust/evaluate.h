// Evaluating a policy for one image: every requirement of the applicable scope must accept it.
//
// Signatures are fetched by the caller (SignatureSource); checking them cryptographically is
// a SignatureVerifier's job. No verifier exists yet (GPG simple signing and sigstore are a
// follow-up): an image that has signatures under a signature requirement fails with
// kUnsupported naming what is missing, and one without signatures is rejected as unsigned.
// Nothing here pretends to have verified a signature.
#pragma once

#include <string>
#include <vector>

#include "trust/policy.h"
#include "trust/scope.h"

namespace schicht::trust {

struct Signature {
  std::string format;  // "simple-signing" or "sigstore"
  std::string bytes;   // simple signing: the signed message; sigstore: the payload
  // sigstore: the dev.cosignproject.cosign/signature annotation (base64), "" when absent.
  std::string sigstore_signature;
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
    return "schicht does not fetch signatures (lookaside storage, sigstore attachments) yet";
  }
};

class SignatureVerifier {
 public:
  virtual ~SignatureVerifier() = default;
  // Throws kPolicy when `signature` does not satisfy `requirement` for `image`.
  virtual void verify(const Requirement& requirement, const Signature& signature,
                      const std::string& image) = 0;
};

// The image being admitted.
struct Subject {
  std::string transport;            // "docker", "docker-archive", "oci-archive", ...
  std::string name;                 // for messages: "docker://host/a:1"
  std::vector<std::string> scopes;  // candidates, most specific first (scope.h)
};

struct Decision {
  bool accepted = false;
  ScopeMatch match;
  std::string requirement;  // the requirement that decided a rejection
  std::string reason;       // podman's words for a rejection
};

// `verifier` may be null: then signatures found cannot be checked (kUnsupported).
Decision evaluate(const Policy& policy, const Subject& subject, SignatureSource& signatures,
                  SignatureVerifier* verifier = nullptr);

// Throws kPolicy with podman's message plus the scope and requirement when rejected.
void enforce(const Decision& decision);

// Evaluate, then enforce.
void admit(const Policy& policy, const Subject& subject, SignatureSource& signatures,
           SignatureVerifier* verifier = nullptr);

}  // namespace schicht::trust
