// Which scope of policy.json applies to an image: the candidates a transport tries, most
// specific first, and the lookup (first hit wins, no merging; then the transport's "" scope,
// then `default`).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/reference.h"
#include "trust/policy.h"

namespace schicht::trust {

// docker: "host:port/ns/repo:tag" (or "@digest"), "host:port/ns/repo", each namespace,
// "host:port", then "*.domain" wildcards from the most specific (the port dropped).
std::vector<std::string> docker_scopes(const Reference& reference);

// dir, oci, oci-archive: the absolute path, then each parent directory except "/".
std::vector<std::string> path_scopes(std::string_view absolute_path);

// Validates a scope written for `transport`; returns an error message, empty when valid.
std::string scope_error(std::string_view transport, std::string_view scope);

struct ScopeMatch {
  std::string transport;    // empty when `default` applied
  std::string scope;        // the matching scope; "" for the transport's default
  bool is_default = false;  // the global `default` applied
  const Requirements* requirements = nullptr;

  // "docker scope \"quay.io/ns\"", "docker default scope \"\"", "global default".
  std::string describe() const;
};

ScopeMatch match_scope(const Policy& policy, std::string_view transport,
                       const std::vector<std::string>& candidates);

}  // namespace schicht::trust
