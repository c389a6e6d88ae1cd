#include "trust/evaluate.h"

#include <optional>

#include <fmt/format.h>

#include "core/error.h"

namespace schicht::trust {

Decision evaluate(const Policy& policy, const Subject& subject, SignatureSource& signatures,
                  SignatureVerifier* verifier) {
  Decision d{.match = match_scope(policy, subject.transport, subject.scopes)};
  std::optional<std::vector<Signature>> fetched;  // fetched once, when a requirement needs them
  for (const Requirement& r : *d.match.requirements) {
    if (r.type == "insecureAcceptAnything") continue;
    if (r.type == "reject") {
      d.requirement = r.type;
      d.reason = fmt::format("Running image {} is rejected by policy.", subject.name);
      return d;
    }
    if (r.type == "signedBy" && r.key_type != "GPGKeys") {
      fail(ErrorKind::kUnsupported,
           fmt::format("{}: signedBy keyType {:?} is not implemented", policy.path, r.key_type));
    }
    if (!fetched) fetched = signatures.signatures();
    if (fetched->empty()) {
      d.requirement = r.type;
      std::string limitation = signatures.limitation();
      d.reason =
          fmt::format("A signature was required, but no signature exists (image {} is unsigned{})",
                      subject.name, limitation.empty() ? "" : "; " + limitation);
      return d;
    }
    if (verifier == nullptr) {
      fail(ErrorKind::kUnsupported,
           fmt::format("image {} has signatures, but schicht cannot verify {} signatures yet "
                       "(required by {} in {})",
                       subject.name, r.type == "signedBy" ? "GPG simple-signing" : "sigstore",
                       d.match.describe(), policy.path));
    }
    // At least one signature must satisfy the requirement.
    std::string last_error;
    bool ok = false;
    for (const Signature& s : *fetched) {
      try {
        verifier->verify(r, s, subject.name);
        ok = true;
        break;
      } catch (const Error& e) {
        if (e.kind() != ErrorKind::kPolicy) throw;
        last_error = e.what();
      }
    }
    if (!ok) {
      d.requirement = r.type;
      d.reason = last_error;
      return d;
    }
  }
  d.accepted = true;
  return d;
}

void enforce(const Decision& decision) {
  if (decision.accepted) return;
  fail(ErrorKind::kPolicy,
       fmt::format("Source image rejected: {} ({} requires {})", decision.reason,
                   decision.match.describe(), decision.requirement));
}

void admit(const Policy& policy, const Subject& subject, SignatureSource& signatures,
           SignatureVerifier* verifier) {
  enforce(evaluate(policy, subject, signatures, verifier));
}

}  // namespace schicht::trust
