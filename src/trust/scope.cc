#include "trust/scope.h"

#include <fmt/format.h>

namespace schicht::trust {
namespace {

bool is_path_transport(std::string_view t) {
  return t == "dir" || t == "oci" || t == "oci-archive" || t == "sif";
}

}  // namespace

std::vector<std::string> docker_scopes(const Reference& reference) {
  std::vector<std::string> out;
  if (!reference.tag.empty() || reference.digest) out.push_back(reference.str());
  std::string name = reference.name();
  for (;;) {
    out.push_back(name);
    size_t slash = name.rfind('/');
    if (slash == std::string::npos) break;
    name.resize(slash);
  }
  // Wildcards match hosts only, without the port: *.example.com, then *.com.
  std::string host = reference.domain.substr(0, reference.domain.find(':'));
  for (size_t dot = host.find('.'); dot != std::string::npos; dot = host.find('.', dot + 1)) {
    out.push_back("*" + host.substr(dot));
  }
  return out;
}

std::vector<std::string> path_scopes(std::string_view absolute_path) {
  std::vector<std::string> out;
  std::string path(absolute_path);
  while (path.size() > 1 && path.ends_with('/')) path.pop_back();
  while (path.size() > 1) {
    out.push_back(path);
    size_t slash = path.rfind('/');
    if (slash == std::string::npos || slash == 0) break;
    path.resize(slash);
  }
  return out;
}

std::string scope_error(std::string_view transport, std::string_view scope) {
  if (scope.empty()) return "";
  if (transport == "docker" || transport == "atomic" || transport == "docker-daemon") {
    if (scope.starts_with("*.")) {
      std::string_view rest = scope.substr(2);
      if (rest.empty() || rest.find_first_of("/:*@") != std::string_view::npos) {
        return fmt::format("invalid wildcard scope {:?}", scope);
      }
      return "";
    }
    // A scope is a fully expanded name, optionally with a tag or digest: parsing it without
    // normalization must give it back unchanged, with a registry host first.
    auto ref = Reference::try_parse(scope);
    if (!ref || ref->str() != scope) {
      // A bare host ("quay.io", "host:5000") is a scope too.
      if (scope.find('/') == std::string_view::npos &&
          scope.find_first_of(".:") != std::string_view::npos &&
          scope.find_first_of("@*") == std::string_view::npos) {
        return "";
      }
      return fmt::format("scope {:?} is not a fully expanded image name, namespace or host", scope);
    }
    return "";
  }
  if (is_path_transport(transport)) {
    if (!scope.starts_with('/')) return fmt::format("scope {:?} is not an absolute path", scope);
    if (scope == "/") return "scope \"/\" is not allowed; use \"\"";
    std::string s(scope);
    if (s.find("/./") != std::string::npos || s.find("/../") != std::string::npos ||
        s.ends_with("/.") || s.ends_with("/..") || s.find("//") != std::string::npos) {
      return fmt::format("scope {:?} is not a clean path", scope);
    }
    return "";
  }
  if (transport == "docker-archive" || transport == "tarball") {
    return fmt::format("transport {} supports only the \"\" scope", transport);
  }
  return "";  // containers-storage scopes are not checked beyond being strings
}

std::string ScopeMatch::describe() const {
  if (is_default) return "the global default";
  if (scope.empty()) return fmt::format("the {} transport's default scope \"\"", transport);
  return fmt::format("{} scope {:?}", transport, scope);
}

ScopeMatch match_scope(const Policy& policy, std::string_view transport,
                       const std::vector<std::string>& candidates) {
  auto it = policy.transports.find(std::string(transport));
  if (it != policy.transports.end()) {
    for (const std::string& candidate : candidates) {
      if (auto s = it->second.find(candidate); s != it->second.end()) {
        return ScopeMatch{std::string(transport), candidate, false, &s->second};
      }
    }
    if (auto s = it->second.find(""); s != it->second.end()) {
      return ScopeMatch{std::string(transport), "", false, &s->second};
    }
  }
  return ScopeMatch{"", "", true, &policy.default_requirements};
}

}  // namespace schicht::trust
