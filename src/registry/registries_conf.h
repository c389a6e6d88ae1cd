// registries.conf as podman reads it: unqualified-search registries, the short-name mode,
// short-name aliases, and [[registry]] tables that rewrite, mirror, mark insecure or block the
// references their prefix matches. The v2 TOML format is read strictly (an unknown key or a
// value of the wrong type is kInvalidInput naming the file); a v1 main file
// ([registries.search/insecure/block]) is converted, as containers/image does.
//
// Lookup (registries_conf_sources): $CONTAINERS_REGISTRIES_CONF (or the legacy
// $REGISTRIES_CONFIG_PATH) names the file, which must then exist; otherwise
// ~/.config/containers/registries.conf if it exists (with only the user's registries.conf.d),
// else /etc/containers/registries.conf (missing: empty) with /etc/containers/registries.conf.d
// and then the user's registries.conf.d. Drop-ins load in name order and override: scalars and
// lists replace, [[registry]] tables replace the table with the same prefix, aliases merge (an
// empty value deletes one).
//
// A RegistriesConf is an immutable value once loaded; share it freely between threads.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/fs.h"
#include "core/reference.h"

namespace schicht::registry {

enum class ShortNameMode { kDisabled, kPermissive, kEnforcing };
enum class MirrorUse { kAll, kDigestOnly, kTagOnly };

struct MirrorConfig {
  std::string location;
  bool insecure = false;
  MirrorUse use = MirrorUse::kAll;  // pull-from-mirror
};

struct RegistryConfig {
  std::string prefix;    // defaults to location; "*.example.com" matches any subdomain
  std::string location;  // empty only with a wildcard prefix: references are not rewritten
  bool insecure = false;
  bool blocked = false;
  bool mirror_by_digest_only = false;
  std::vector<MirrorConfig> mirrors;
};

// Where to pull an image from: the reference rewritten for this endpoint and how to treat it.
struct Endpoint {
  Reference reference;
  bool insecure = false;  // plain HTTP allowed and TLS not verified
  bool blocked = false;   // the user forbade pulling from here
  bool mirror = false;
};

struct RegistriesConfSources {
  fs::path file;
  bool file_required = false;          // an explicitly named file must exist
  std::vector<fs::path> drop_in_dirs;  // each dir's *.conf, in name order, dirs in this order
};

// The files podman would read, from the environment and $HOME.
RegistriesConfSources registries_conf_sources();

class RegistriesConf {
 public:
  // Parses one file's text; `origin` names it in errors. A drop-in must be v2.
  static RegistriesConf parse(std::string_view text, std::string_view origin, bool drop_in = false);
  static RegistriesConf load(const RegistriesConfSources& sources);
  // load(registries_conf_sources()).
  static RegistriesConf load();

  // Applies a drop-in loaded after this configuration.
  void merge(const RegistriesConf& later);

  const std::vector<std::string>& unqualified_search_registries() const;
  ShortNameMode short_name_mode() const;
  // Default ["containers-auth.json"].
  std::vector<std::string> credential_helpers() const;
  // Sorted by prefix, one table per prefix.
  const std::vector<RegistryConfig>& registries() const { return registries_; }
  // The alias for a short name (no tag or digest), normalized ("docker.io/library/x").
  std::optional<Reference> alias(std::string_view short_name) const;

  // The table whose prefix matches `reference` longest: a host, a name, or a whole reference
  // string, which must start with the host. Null when none matches.
  const RegistryConfig* find(std::string_view reference) const;

  // Where to pull `reference` from, in order: the matching table's mirrors that apply to it
  // (by digest or by tag), then its primary location; just the reference itself when no table
  // matches. Each endpoint's insecure and blocked flags come from the table matching the
  // rewritten name (and the mirror's own insecure flag), as containers/image decides them.
  std::vector<Endpoint> pull_endpoints(const Reference& reference) const;

  // The reference itself (no rewriting, as for push or tag listing) with its flags.
  Endpoint endpoint(const Reference& reference) const;

 private:
  // Unset and empty differ when merging: only a set list replaces the earlier one.
  std::optional<std::vector<std::string>> search_;
  std::optional<ShortNameMode> short_name_mode_;
  std::optional<std::vector<std::string>> credential_helpers_;
  std::vector<RegistryConfig> registries_;
  // Values are normalized names; "" marks an alias deleted by a drop-in.
  std::map<std::string, std::string> aliases_;
};

}  // namespace schicht::registry
