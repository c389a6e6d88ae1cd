// podman 4.3's `search` against registries: the repositories of a registry's /v2/_catalog that
// contain the term (docker.io's v1 search API is not spoken), or, with list_tags, the tags of
// one repository. Search registries come from the term ("REGISTRY/TERM": everything before the
// first '/') or registries.conf's unqualified-search list, searched one after the other; the
// results of those that answered are returned, and the errors only when none gave a result.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "registry/registries_conf.h"
#include "registry/registry_client.h"

namespace schicht::copy {

// --filter: stars=N, is-official=BOOL, is-automated=BOOL (podman's ParseSearchFilter).
struct SearchFilter {
  int stars = 0;
  std::optional<bool> official, automated;
};

// kInvalidInput with podman's messages for a malformed filter.
SearchFilter parse_search_filters(const std::vector<std::string>& filters);

struct SearchOptions {
  int limit = 0;  // 0: podman's default of 25; negative: nothing
  bool list_tags = false;
  bool no_trunc = false;
  SearchFilter filter;
  registry::RegistryOptions registry;  // insecure is filled in per registry
};

struct SearchResult {
  std::string index, name, description;
  int stars = 0;
  std::string official, automated;  // "[OK]" or empty
  std::string tag;
};

// kNetwork (or the registry's kind) "1 error occurred:\n\t* ..." as podman's multierror prints
// it, when every registry failed; kInvalidInput when no registry is known.
std::vector<SearchResult> search(const std::string& term, const registry::RegistriesConf& conf,
                                 const SearchOptions& options);

}  // namespace schicht::copy
