#include "copy/carried_signatures.h"

#include "copy/signatures.h"
#include "copy/sigstore_signatures.h"

namespace schicht::copy {

CarriedSignatures read_carried_signatures(const trust::RegistriesD& config, const Reference& source,
                                          const Digest& manifest_digest,
                                          const registry::RegistryOptions& options) {
  CarriedSignatures out;
  LookasideSignatures lookaside(config, source, manifest_digest, options.http);
  for (trust::Signature& found : lookaside.signatures()) out.simple.push_back(found.bytes);
  if (config.use_sigstore_attachments(source)) {
    registry::RegistryClient client(source.domain, options);
    SigstoreAttachmentSource attached(client, source.path, manifest_digest);
    out.sigstore = attached.signatures();
  }
  return out;
}

void check_carried_destination(const CarriedSignatures& signatures,
                               std::shared_ptr<const trust::RegistriesD>& config,
                               const Reference& destination) {
  if (!config) config = load_registries_d("");
  // The staging base must be writable; the digest only names the subdirectory.
  if (!signatures.simple.empty()) {
    lookaside_write_dir(*config, destination, Digest::sha256_of(""));
  }
  if (!signatures.sigstore.empty()) require_sigstore_attachments(config, destination);
}

void write_carried_signatures(const CarriedSignatures& signatures, const trust::RegistriesD& config,
                              const Reference& destination, const Digest& manifest_digest,
                              const registry::RegistryOptions& options) {
  if (!signatures.simple.empty()) {
    std::string dir = lookaside_write_dir(config, destination, manifest_digest);
    for (const std::string& signature : signatures.simple) {
      write_lookaside_signature(dir, signature);
    }
  }
  if (!signatures.sigstore.empty()) {
    registry::RegistryClient client(destination.domain, options);
    for (const trust::Signature& signature : signatures.sigstore) {
      attach_sigstore_signature(client, destination.path, manifest_digest, signature.bytes,
                                signature.sigstore_signature, signature.annotations);
    }
  }
}

}  // namespace schicht::copy
