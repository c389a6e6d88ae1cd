#include "trust/policy.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/reference.h"
#include "trust/scope.h"
#include "trust/unique_keys_json.h"

namespace schicht::trust {
namespace {

using nlohmann::json;

// Errors name the file and a JSON-path-like location ("transports.docker[\"quay.io\"][0]").
class Parser {
 public:
  explicit Parser(const std::string& path) : path_(path) {}

  [[noreturn]] void bad(const std::string& where, const std::string& what) const {
    fail(ErrorKind::kInvalidInput, fmt::format("invalid policy in {:?}: {}: {}", path_,
                                               where.empty() ? "(top)" : where, what));
  }

  // Every key of `object` must be in `allowed`.
  void only(const json& object, const std::string& where,
            std::initializer_list<std::string_view> allowed) const {
    for (const auto& [key, value] : object.items()) {
      bool ok = false;
      for (std::string_view a : allowed) ok = ok || key == a;
      if (!ok) bad(where, fmt::format("unknown key {:?}", key));
    }
  }

  const json& object(const json& value, const std::string& where) const {
    if (!value.is_object()) bad(where, "expected a JSON object");
    return value;
  }

  std::string string(const json& parent, std::string_view key, const std::string& where) const {
    auto it = parent.find(key);
    if (it == parent.end()) bad(where, fmt::format("missing {:?}", key));
    if (!it->is_string()) bad(where + "." + std::string(key), "expected a string");
    return it->get<std::string>();
  }

  std::vector<std::string> strings(const json& value, const std::string& where) const {
    if (!value.is_array() || value.empty()) bad(where, "expected a non-empty array of strings");
    std::vector<std::string> out;
    for (const auto& item : value) {
      if (!item.is_string()) bad(where, "expected a non-empty array of strings");
      out.push_back(item.get<std::string>());
    }
    return out;
  }

  // Of `keys`, exactly one (or, with `optional`, at most one) is present; returns it or "".
  std::string one_of(const json& object, const std::string& where,
                     std::initializer_list<std::string_view> keys, bool optional) const {
    std::string found;
    for (std::string_view k : keys) {
      if (!object.contains(k)) continue;
      if (!found.empty()) bad(where, fmt::format("both {:?} and {:?} are set", found, k));
      found = k;
    }
    if (found.empty() && !optional) {
      bad(where, fmt::format("exactly one of {} is required", fmt::join(keys, ", ")));
    }
    return found;
  }

  SignedIdentity identity(const json& value, const std::string& where) const {
    object(value, where);
    SignedIdentity id{.type = string(value, "type", where)};
    const std::string& t = id.type;
    if (t == "matchExact" || t == "matchRepoDigestOrExact" || t == "matchRepository") {
      only(value, where, {"type"});
    } else if (t == "exactReference") {
      only(value, where, {"type", "dockerReference"});
      id.docker_reference = string(value, "dockerReference", where);
      auto ref = Reference::try_parse(id.docker_reference);
      if (!ref || (ref->tag.empty() && !ref->digest) || ref->str() != id.docker_reference) {
        bad(where, fmt::format("dockerReference {:?} is not a normalized reference with a tag "
                               "or digest",
                               id.docker_reference));
      }
    } else if (t == "exactRepository") {
      only(value, where, {"type", "dockerRepository"});
      id.docker_repository = string(value, "dockerRepository", where);
      auto ref = Reference::try_parse(id.docker_repository);
      if (!ref || ref->str() != id.docker_repository || !ref->tag.empty() || ref->digest) {
        bad(where, fmt::format("dockerRepository {:?} is not a normalized repository name",
                               id.docker_repository));
      }
    } else if (t == "remapIdentity") {
      only(value, where, {"type", "prefix", "signedPrefix"});
      id.prefix = string(value, "prefix", where);
      id.signed_prefix = string(value, "signedPrefix", where);
      for (const std::string* p : {&id.prefix, &id.signed_prefix}) {
        if (!scope_error("docker", *p).empty() || p->empty() || p->starts_with("*.")) {
          bad(where, fmt::format("{:?} is not a valid remapIdentity prefix", *p));
        }
      }
    } else {
      bad(where, fmt::format("unknown signedIdentity type {:?}", t));
    }
    return id;
  }

  Requirement requirement(const json& value, const std::string& where) const {
    object(value, where);
    Requirement r{.type = string(value, "type", where)};
    if (r.type == "insecureAcceptAnything" || r.type == "reject") {
      only(value, where, {"type"});
    } else if (r.type == "signedBy") {
      only(value, where, {"type", "keyType", "keyPath", "keyPaths", "keyData", "signedIdentity"});
      r.key_type = string(value, "keyType", where);
      if (r.key_type != "GPGKeys" && r.key_type != "signedByGPGKeys" &&
          r.key_type != "X509Certificates" && r.key_type != "signedByX509CAs") {
        bad(where + ".keyType", fmt::format("unknown keyType {:?}", r.key_type));
      }
      r.key_source = one_of(value, where, {"keyPath", "keyPaths", "keyData"}, false);
      key_source(value, where, r);
    } else if (r.type == "sigstoreSigned") {
      only(value, where,
           {"type", "keyPath", "keyPaths", "keyData", "keyDatas", "fulcio", "pki",
            "rekorPublicKeyPath", "rekorPublicKeyPaths", "rekorPublicKeyData",
            "rekorPublicKeyDatas", "signedIdentity"});
      r.key_source = one_of(value, where,
                            {"keyPath", "keyPaths", "keyData", "keyDatas", "fulcio", "pki"}, false);
      key_source(value, where, r);
      std::string rekor = one_of(value, where,
                                 {"rekorPublicKeyPath", "rekorPublicKeyPaths", "rekorPublicKeyData",
                                  "rekorPublicKeyDatas"},
                                 true);
      if (!rekor.empty()) {
        const json& v = value[rekor];
        std::string at = where + "." + rekor;
        std::vector<std::string> keys;
        if (rekor.ends_with('s')) {
          keys = strings(v, at);
        } else if (v.is_string()) {
          keys = {v.get<std::string>()};
        } else {
          bad(at, "expected a string");
        }
        for (const std::string& k : keys) {
          if (k.empty()) bad(at, "must not be empty");
        }
        (rekor.starts_with("rekorPublicKeyPath") ? r.rekor_paths : r.rekor_datas) = keys;
      }
      r.rekor_source = rekor;
      if (r.key_source == "fulcio" && rekor.empty()) bad(where, "fulcio requires a Rekor key");
      if (r.key_source == "pki" && !rekor.empty()) bad(where, "pki does not allow a Rekor key");
    } else {
      bad(where + ".type", fmt::format("unknown requirement type {:?}", r.type));
    }
    if (value.contains("signedIdentity")) {
      r.signed_identity = identity(value["signedIdentity"], where + ".signedIdentity");
    }
    return r;
  }

  void key_source(const json& value, const std::string& where, Requirement& r) const {
    const std::string& k = r.key_source;
    std::string at = where + "." + k;
    const json& v = value[k];
    if (k == "keyPath") {
      if (!v.is_string()) bad(at, "expected a string");
      r.key_paths = {v.get<std::string>()};
    } else if (k == "keyPaths") {
      r.key_paths = strings(v, at);
    } else if (k == "keyData") {
      if (!v.is_string()) bad(at, "expected a string");
      r.key_datas = {v.get<std::string>()};
    } else if (k == "keyDatas") {
      r.key_datas = strings(v, at);
    } else if (k == "fulcio") {
      object(v, at);
      only(v, at, {"caPath", "caData", "oidcIssuer", "subjectEmail"});
      FulcioRequirement f;
      if (one_of(v, at, {"caPath", "caData"}, false) == "caPath") {
        f.ca_path = string(v, "caPath", at);
      } else {
        f.ca_data = string(v, "caData", at);
      }
      f.oidc_issuer = string(v, "oidcIssuer", at);
      f.subject_email = string(v, "subjectEmail", at);
      if (f.ca_path.empty() && f.ca_data.empty()) bad(at, "the CA must not be empty");
      if (f.oidc_issuer.empty()) bad(at + ".oidcIssuer", "must not be empty");
      if (f.subject_email.empty()) bad(at + ".subjectEmail", "must not be empty");
      r.fulcio = std::move(f);
    } else if (k == "pki") {
      object(v, at);
      only(v, at,
           {"caRootsPath", "caRootsData", "caIntermediatesPath", "caIntermediatesData",
            "subjectEmail", "subjectHostname"});
      one_of(v, at, {"caRootsPath", "caRootsData"}, false);
      one_of(v, at, {"caIntermediatesPath", "caIntermediatesData"}, true);
      for (const auto& [key, item] : v.items()) {
        if (!item.is_string()) bad(at + "." + key, "expected a string");
      }
      if (!v.contains("subjectEmail") && !v.contains("subjectHostname")) {
        bad(at, "subjectEmail or subjectHostname is required");
      }
    }
  }

  Requirements requirements(const json& value, const std::string& where) const {
    if (!value.is_array()) bad(where, "expected an array of requirements");
    if (value.empty()) {
      bad(where, "an empty requirement list is not allowed; use insecureAcceptAnything");
    }
    Requirements out;
    for (size_t i = 0; i < value.size(); ++i) {
      out.push_back(requirement(value[i], fmt::format("{}[{}]", where, i)));
    }
    return out;
  }

 private:
  const std::string& path_;
};

json parse_json_strict(std::string_view bytes, const std::string& path) {
  UniqueKeysJson parsed = parse_unique_keys_json(bytes);
  if (!parsed.syntax_error.empty()) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("invalid policy in {:?}: {}", path, parsed.syntax_error));
  }
  if (!parsed.duplicate_key.empty()) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("invalid policy in {:?}: duplicate key {:?}", path, parsed.duplicate_key));
  }
  return std::move(parsed.doc);
}

}  // namespace

bool is_known_transport(std::string_view t) {
  for (std::string_view known : {"docker", "atomic", "containers-storage", "dir", "docker-archive",
                                 "docker-daemon", "oci", "oci-archive", "sif", "tarball"}) {
    if (t == known) return true;
  }
  return false;
}

std::string describe_trust(const Requirement& r) {
  std::string out;
  if (r.fulcio) {
    out = fmt::format("fulcio CA {}, issuer {}, email {}",
                      r.fulcio->ca_path.empty() ? "from caData" : r.fulcio->ca_path,
                      r.fulcio->oidc_issuer, r.fulcio->subject_email);
  } else {
    out = fmt::format("{}", fmt::join(r.key_paths, ", "));
  }
  if (!r.rekor_paths.empty()) {
    out += fmt::format("; rekor key {}", fmt::join(r.rekor_paths, ", "));
  } else if (!r.rekor_datas.empty()) {
    out += "; rekor key from rekorPublicKeyData";
  }
  return out;
}

Policy parse_policy(std::string_view bytes, const std::string& path) {
  Parser p(path);
  json doc = parse_json_strict(bytes, path);
  p.object(doc, "");
  p.only(doc, "", {"default", "transports"});
  if (!doc.contains("default")) p.bad("", "missing \"default\"");
  Policy policy{.path = path, .default_requirements = p.requirements(doc["default"], "default")};
  if (doc.contains("transports")) {
    const json& transports = p.object(doc["transports"], "transports");
    for (const auto& [name, scopes] : transports.items()) {
      std::string where = fmt::format("transports[{:?}]", name);
      if (!is_known_transport(name)) p.bad(where, fmt::format("unknown transport {:?}", name));
      p.object(scopes, where);
      auto& out = policy.transports[name];
      for (const auto& [scope, reqs] : scopes.items()) {
        std::string at = fmt::format("{}[{:?}]", where, scope);
        if (std::string e = scope_error(name, scope); !e.empty()) p.bad(at, e);
        out[scope] = p.requirements(reqs, at);
      }
    }
  }
  return policy;
}

Policy load_policy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (!std::filesystem::exists(path)) {
      // podman's words: the path and the reason.
      fail(ErrorKind::kNotFound, fmt::format("open {}: no such file or directory", path));
    }
    fail_errno("reading policy", path);
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parse_policy(buffer.str(), path);
}

std::string policy_path(std::string_view explicit_path) {
  if (!explicit_path.empty()) return std::string(explicit_path);
  // $HOME, not $XDG_CONFIG_HOME: containers/image looks there.
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    std::string user = std::string(home) + "/.config/containers/policy.json";
    if (std::filesystem::exists(user)) return user;
  }
  return "/etc/containers/policy.json";
}

}  // namespace schicht::trust
