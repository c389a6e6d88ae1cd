// The signatures image copy carries from a docker:// source to a docker:// destination (unless
// --remove-signatures): the simple signing signatures of the source's lookaside storage and,
// where registries.d enables attachments for the source, its sigstore signatures, read as pull
// reads them (signatures.h, sigstore_signatures.h), with their annotations (a keyless
// signature's certificate, chain and Rekor bundle). They sign a manifest digest, so they are
// carried only with the manifest unchanged; copy_image checks that, and that the destination
// can store them, before anything is copied.
#pragma once

#include <string>
#include <vector>

#include "core/digest.h"
#include "core/reference.h"
#include "registry/registries_conf.h"
#include "registry/registry_client.h"
#include "trust/evaluate.h"
#include "trust/registries_d.h"

namespace schicht::copy {

struct CarriedSignatures {
  std::vector<std::string> simple;         // signed messages, as in lookaside storage
  std::vector<trust::Signature> sigstore;  // payloads and their signatures
  size_t size() const { return simple.size() + sigstore.size(); }
};

// The signatures of `manifest_digest` at `source`.
CarriedSignatures read_carried_signatures(const trust::RegistriesD& config, const Reference& source,
                                          const Digest& manifest_digest,
                                          const registry::RegistryOptions& options);

// kUnsupported or kPolicy when `destination` cannot store `signatures` (a lookaside staging
// base that is not file://, attachments disabled); nothing is written.
void check_carried_destination(const CarriedSignatures& signatures,
                               std::shared_ptr<const trust::RegistriesD>& config,
                               const Reference& destination);

// Stores them for `manifest_digest` at `destination`: simple signatures at the next free
// signature-N of its lookaside staging, sigstore ones added to its attachment.
void write_carried_signatures(const CarriedSignatures& signatures, const trust::RegistriesD& config,
                              const Reference& destination, const Digest& manifest_digest,
                              const registry::RegistryOptions& options);

}  // namespace schicht::copy
