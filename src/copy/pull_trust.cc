#include "copy/pull_trust.h"

#include "copy/sigstore_signatures.h"
#include "trust/image_verifier.h"
#include "trust/scope.h"

namespace schicht::copy {

PullAdmission::PullAdmission(const PullOptions& options, const Reference& requested)
    : policy_(options.policy.get()),
      requested_(requested),
      // The identity is the reference asked for, whichever mirror serves it.
      subject_{"docker", "docker://" + requested.str(), trust::docker_scopes(requested)} {
  if (policy_ == nullptr) return;
  const trust::Requirements& requirements =
      *trust::match_scope(*policy_, subject_.transport, subject_.scopes).requirements;
  bool rejects = false;
  for (const trust::Requirement& r : requirements) {
    deferred_ = deferred_ || r.needs_signatures();
    rejects = rejects || r.type == "reject";
  }
  // A reject rejects whatever the signatures say: no need to fetch anything to know.
  if (rejects) deferred_ = false;
  if (deferred_) return;
  trust::NoSignatures none;
  trust::admit(*policy_, subject_, none);
}

void PullAdmission::check_manifest(registry::RegistryClient& client, const Reference& source,
                                   const Manifest& manifest) const {
  if (!deferred_) return;
  bool sigstore = false;
  for (const trust::Requirement& r :
       *trust::match_scope(*policy_, subject_.transport, subject_.scopes).requirements) {
    sigstore = sigstore || r.type == "sigstoreSigned";
  }
  trust::ImageVerifier verifier(requested_, manifest.raw);
  if (sigstore) {
    SigstoreAttachmentSource signatures(client, source.path, manifest.digest);
    trust::admit(*policy_, subject_, signatures, &verifier);
  } else {
    trust::NoSignatures none;
    trust::admit(*policy_, subject_, none, &verifier);
  }
}

}  // namespace schicht::copy
