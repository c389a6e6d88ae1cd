#include "copy/pull_trust.h"

#include <fmt/format.h>

#include "copy/signatures.h"
#include "copy/sigstore_bundles.h"
#include "copy/sigstore_signatures.h"
#include "transport/source_policy.h"
#include "trust/image_verifier.h"
#include "trust/scope.h"

namespace schicht::copy {

PullAdmission::PullAdmission(const PullOptions& options, const Reference& requested)
    : policy_(options.policy.get()),
      requested_(requested),
      // The identity is the reference asked for, whichever mirror serves it.
      subject_(transport::docker_subject(requested)) {
  if (policy_ == nullptr) return;
  registries_d_ = options.registries_d;
  lookaside_http_ = options.registry.http;
  if (options.registry.tls_verify) lookaside_http_.tls_verify = *options.registry.tls_verify;
  const trust::Requirements& requirements =
      *trust::match_scope(*policy_, subject_.transport, subject_.scopes).requirements;
  bool rejects = false;
  for (const trust::Requirement& r : requirements) {
    deferred_ = deferred_ || r.needs_signatures();
    rejects = rejects || r.type == "reject";
  }
  // A reject rejects whatever the signatures say: no need to fetch anything to know.
  if (rejects) deferred_ = false;
  if (deferred_) {
    if (!registries_d_) registries_d_ = load_registries_d("");
    return;
  }
  admit_unsigned();
}

void PullAdmission::admit_unsigned() const {
  if (policy_ == nullptr || deferred_) return;
  trust::NoSignatures none;
  trust::admit(*policy_, subject_, none);
}

void PullAdmission::check_manifest(registry::RegistryClient& client, const Reference& source,
                                   const Manifest& manifest) const {
  if (!deferred_) return;
  trust::enforce(evaluate_manifest(client, source, manifest));
}

trust::Decision PullAdmission::evaluate_manifest(registry::RegistryClient& client,
                                                 const Reference& source,
                                                 const Manifest& manifest) const {
  bool sigstore = false, gpg = false;
  for (const trust::Requirement& r :
       *trust::match_scope(*policy_, subject_.transport, subject_.scopes).requirements) {
    sigstore = sigstore || r.type == "sigstoreSigned";
    gpg = gpg || r.type == "signedBy";
  }
  trust::ImageVerifier verifier(requested_, manifest.raw);
  std::vector<trust::Signature> found;
  if (gpg) {
    LookasideSignatures lookaside(*registries_d_, source, manifest.digest, lookaside_http_);
    found = lookaside.signatures();
  }
  // containers/image reads attachments only where registries.d enables them.
  std::string limitation;
  if (sigstore && registries_d_->use_sigstore_attachments(source)) {
    SigstoreAttachmentSource attached(client, source.path, manifest.digest);
    for (trust::Signature& s : attached.signatures()) found.push_back(std::move(s));
    SigstoreBundleSource bundles(client, source.path, manifest.digest);
    for (trust::Signature& s : bundles.signatures()) found.push_back(std::move(s));
  } else if (sigstore) {
    limitation = fmt::format(
        "sigstore attachments are not read for {}/{}: registries.d does "
        "not set use-sigstore-attachments for it",
        source.domain, source.path);
  }
  FoundSignatures signatures(std::move(found), std::move(limitation));
  return trust::evaluate(*policy_, subject_, signatures, &verifier);
}

}  // namespace schicht::copy
