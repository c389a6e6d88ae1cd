// registries.d (containers-registries.d(5)): where simple-signing signatures of a registry
// image are read from and written to ("lookaside" storage), and whether sigstore signatures
// are looked for as registry attachments.
//
// Every *.yaml file of the directory is merged; a namespace may appear in one file only, and
// `default-docker` at most once. Unknown keys and values of the wrong type fail closed
// (kInvalidInput naming the file). For a reference, each setting comes from the most specific
// namespace that sets it (the full identity, then its namespaces as policy.json docker scopes),
// then `default-docker`, as containers/image looks them up.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/digest.h"
#include "core/reference.h"

namespace schicht::trust {

struct LookasideNamespace {
  std::string lookaside;          // `lookaside`, or the deprecated `sigstore`
  std::string lookaside_staging;  // `lookaside-staging`, or the deprecated `sigstore-staging`
  std::optional<bool> use_sigstore_attachments;
};

class RegistriesD {
 public:
  // Reads every *.yaml file in `dir`, in name order; a missing directory is an empty config.
  static RegistriesD load(const std::string& dir);
  // Merges one file's text; `file` names it in errors.
  void add(std::string_view text, const std::string& file);

  // The base URL signatures of `reference` are read from: the configured one, else the
  // built-in default (file:///var/lib/containers/sigstore for root, else
  // file://$HOME/.local/share/containers/sigstore).
  std::string read_base(const Reference& reference) const;
  // The base URL new signatures are written to: a staging URL, else the read one.
  std::string write_base(const Reference& reference) const;
  bool use_sigstore_attachments(const Reference& reference) const;
  // The read URL podman's `image trust show` lists for a policy.json docker scope: of the
  // namespace that is the scope or its nearest parent ("a/b/c", "a/b", "a"), else of
  // default-docker; no per-key fallback. Empty when none is configured.
  std::string store_for_scope(std::string_view scope) const;

  const std::string& directory() const { return directory_; }

 private:
  // The first value `get` finds, from the most specific namespace to default-docker.
  template <typename T, typename Get>
  std::optional<T> lookup(const Reference& reference, Get get) const;

  std::string directory_;
  std::optional<LookasideNamespace> default_docker_;
  std::map<std::string, LookasideNamespace> docker_;
  std::map<std::string, std::string> defined_in_;  // namespace -> file, for duplicate errors
};

// The directory to read: `explicit_dir` when not empty, else
// $HOME/.config/containers/registries.d when it exists, else /etc/containers/registries.d.
std::string registries_d_dir(std::string_view explicit_dir);

// <base>/<repository path>@<alg>=<hex>/signature-<index> (index from 1).
std::string lookaside_url(const std::string& base, const Reference& reference,
                          const Digest& manifest_digest, size_t index);

}  // namespace schicht::trust
