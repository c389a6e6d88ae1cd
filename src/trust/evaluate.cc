#include "trust/evaluate.h"

#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.h"

namespace schicht::trust {

bool needs_signatures(const Policy& policy, const Subject& subject) {
  ScopeMatch match = match_scope(policy, subject.transport, subject.scopes);
  bool needs = false;
  for (const Requirement& r : *match.requirements) {
    if (r.type == "reject") return false;
    needs = needs || r.needs_signatures();
  }
  return needs;
}

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
    std::vector<std::string> errors;
    bool ok = false;
    for (const Signature& s : *fetched) {
      try {
        verifier->verify(r, s, subject.name);
        d.checked.push_back(fmt::format("{}: accepted by {}", s.origin, r.type));
        ok = true;
        break;
      } catch (const Error& e) {
        if (e.kind() != ErrorKind::kPolicy) throw;
        d.checked.push_back(fmt::format("{}: {}", s.origin, e.what()));
        errors.push_back(fetched->size() == 1 ? e.what() : d.checked.back());
      }
    }
    if (!ok) {
      d.requirement = r.type;
      d.reason = fmt::format("no signature of image {} is accepted: {}", subject.name,
                             fmt::join(errors, "; "));
      return d;
    }
  }
  d.accepted = true;
  return d;
}

std::string rejection_message(const Decision& decision) {
  return fmt::format("Source image rejected: {} ({} requires {})", decision.reason,
                     decision.match.describe(), decision.requirement);
}

void enforce(const Decision& decision) {
  if (decision.accepted) return;
  fail(ErrorKind::kPolicy, rejection_message(decision));
}

void admit(const Policy& policy, const Subject& subject, SignatureSource& signatures,
           SignatureVerifier* verifier) {
  enforce(evaluate(policy, subject, signatures, verifier));
}

}  // namespace schicht::trust
