// GPG simple-signing signatures of registry images in lookaside storage (registries.d): read
// for policy evaluation (pull_trust.h), written on push (lookaside staging storage).
//
// Lookaside signatures are read from file:// and http(s):// bases (signature-1, -2, ... until
// one is missing); they are written to file:// bases only, at the first free index.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/digest.h"
#include "core/reference.h"
#include "oci/manifest.h"
#include "registry/registries_conf.h"
#include "registry/registry_client.h"
#include "trust/evaluate.h"
#include "trust/policy.h"
#include "trust/registries_d.h"

namespace schicht::copy {

// The lookaside signatures of the image with manifest `manifest_digest` at `location` (the
// repository it is really read from, a mirror's when pulled from one).
class LookasideSignatures final : public trust::SignatureSource {
 public:
  LookasideSignatures(const trust::RegistriesD& config, Reference location, Digest manifest_digest,
                      http::HttpOptions http);
  std::vector<trust::Signature> signatures() override;

 private:
  const trust::RegistriesD& config_;
  Reference location_;
  Digest manifest_digest_;
  http::HttpOptions http_;
};

// Signatures already gathered from several sources.
class FoundSignatures final : public trust::SignatureSource {
 public:
  explicit FoundSignatures(std::vector<trust::Signature> found, std::string limitation = "")
      : found_(std::move(found)), limitation_(std::move(limitation)) {}
  std::vector<trust::Signature> signatures() override { return found_; }
  std::string limitation() const override { return limitation_; }

 private:
  std::vector<trust::Signature> found_;
  std::string limitation_;
};

// What a pull of `identity` would decide now, fetching its manifest (for this
// machine's platform) and signatures but no layer; for `image trust explain`.
trust::Decision evaluate_registry_image(const trust::Policy& policy,
                                        const trust::RegistriesD& config, const Reference& identity,
                                        const registry::RegistriesConf& conf,
                                        const registry::RegistryOptions& options);

// The registries.d of `dir` (registries_d_dir's lookup when empty).
std::shared_ptr<const trust::RegistriesD> load_registries_d(std::string_view dir);

// The directory a new lookaside signature for `reference` goes to; kUnsupported when the
// configured staging base is not a file:// URL. Check this before pushing anything.
std::string lookaside_write_dir(const trust::RegistriesD& config, const Reference& reference,
                                const Digest& manifest_digest);

// Writes `signature` as the first free signature-N in `dir`; returns its path.
std::string write_lookaside_signature(const std::string& dir, std::string_view signature);

// The simple-signing signature of `manifest_digest` under `identity` (tag "latest" added when
// it has neither tag nor digest), made with GPG key `key`.
std::string sign_simple(const Reference& identity, const Digest& manifest_digest,
                        const std::string& key);

// `image sign`'s IMAGE: podman takes TRANSPORT:REFERENCE there and signs docker:// only;
// kInvalidInput in podman's words otherwise.
Reference parse_signing_name(const std::string& text);

// `image sign`: signs the manifest `reference` names in its registry (with `all`, each
// instance of the list it must be instead) as `reference`, with GPG key `key`. Signatures go
// to `directory`/<repository path>@<alg>=<hex>/ when it is set, else to the lookaside staging
// storage of `config`. Everything is signed before anything is written. Returns the files.
std::vector<std::string> sign_registry_image(const Reference& reference, const std::string& key,
                                             bool all, const std::string& directory,
                                             const trust::RegistriesD& config,
                                             const registry::RegistriesConf& conf,
                                             const registry::RegistryOptions& options);

}  // namespace schicht::copy
