#include "trust/policy_edit.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/fs.h"
#include "trust/base64.h"
#include "trust/gpg.h"
#include "trust/scope.h"

namespace schicht::trust {
namespace {

using nlohmann::ordered_json;

// podman's names for requirement types in `trust show`.
std::string show_type(const std::string& type) {
  if (type == "insecureAcceptAnything") return "accept";
  if (type == "signedBy") return "signed";
  return type;
}

// The user IDs of a signedBy requirement's keys, as podman shows them ("a@b.c, d@e.f").
std::string key_identities(const Requirement& r) {
  std::vector<std::string> keyrings;
  for (const std::string& path : r.key_paths) keyrings.push_back(read_file(path));
  for (const std::string& data : r.key_datas) {
    std::optional<std::string> keyring = base64_decode(data);
    if (!keyring) fail(ErrorKind::kInvalidInput, "keyData is not base64");
    keyrings.push_back(*keyring);
  }
  // Per keyring, as podman asks gpg about each file: a key named twice is listed twice.
  std::vector<std::string> ids;
  for (const std::string& keyring : keyrings) {
    for (std::string& id : gpg_key_identities({keyring})) ids.push_back(std::move(id));
  }
  return fmt::format("{}", fmt::join(ids, ", "));
}

// Go's json.MarshalIndent(v, "", "    ") of podman's policy structs: requirement keys in the
// order type, keyType, keyPath, keyData, signedIdentity (others kept after them).
ordered_json requirement_json(const ordered_json& r) {
  ordered_json out = ordered_json::object();
  for (const char* key : {"type", "keyType", "keyPath", "keyData", "signedIdentity"}) {
    if (r.contains(key)) out[key] = r[key];
  }
  for (const auto& [key, value] : r.items()) {
    if (!out.contains(key)) out[key] = value;
  }
  return out;
}

ordered_json requirements_of(const std::string& type, const std::vector<std::string>& keys) {
  ordered_json reqs = ordered_json::array();
  if (type == "accept") {
    reqs.push_back({{"type", "insecureAcceptAnything"}});
  } else if (type == "reject") {
    reqs.push_back({{"type", "reject"}});
  } else if (type == "signedBy" || type == "sigstoreSigned") {
    if (keys.empty()) {
      fail(ErrorKind::kInvalidInput,
           fmt::format("at least one public key must be defined for type '{}'", type));
    }
    for (const std::string& key : keys) {
      ordered_json r = {{"type", type}};
      if (type == "signedBy") r["keyType"] = "GPGKeys";
      r["keyPath"] = key;
      reqs.push_back(r);
    }
  } else {
    fail(ErrorKind::kInvalidInput,
         fmt::format("invalid choice: {} (choose from 'accept', 'reject', 'signedBy', "
                     "'sigstoreSigned')",
                     type));
  }
  return reqs;
}

}  // namespace

std::string read_policy_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail_errno("reading", path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string policy_text(const ordered_json& doc) {
  ordered_json out = ordered_json::object();
  ordered_json reqs = ordered_json::array();
  for (const auto& r : doc["default"]) reqs.push_back(requirement_json(r));
  out["default"] = reqs;
  if (doc.contains("transports")) {
    // Go marshals maps with sorted keys.
    std::map<std::string, std::map<std::string, ordered_json>> sorted;
    for (const auto& [transport, scopes] : doc["transports"].items()) {
      auto& into = sorted[transport];
      for (const auto& [scope, list] : scopes.items()) {
        ordered_json converted = ordered_json::array();
        for (const auto& r : list) converted.push_back(requirement_json(r));
        into[scope] = converted;
      }
    }
    ordered_json transports = ordered_json::object();
    for (const auto& [transport, scopes] : sorted) {
      ordered_json s = ordered_json::object();
      for (const auto& [scope, list] : scopes) s[scope] = list;
      transports[transport] = s;
    }
    out["transports"] = transports;
  }
  return out.dump(4);
}

void set_trust(const std::string& path, const std::string& scope, const std::string& type,
               const std::vector<std::string>& keys) {
  ordered_json reqs = requirements_of(type, keys);
  if (scope != "default") {
    if (std::string e = scope_error("docker", scope); !e.empty()) {
      fail(ErrorKind::kInvalidInput, e);
    }
  }
  ordered_json doc = ordered_json::object();
  if (std::filesystem::exists(path)) {
    std::string bytes = read_policy_text(path);
    parse_policy(bytes, path);  // refuse to rewrite a file that is not a valid policy
    doc = ordered_json::parse(bytes);
  } else if (scope != "default") {
    fail(ErrorKind::kInvalidInput, "default trust policy must be set");
  }
  if (scope == "default") {
    doc["default"] = reqs;
  } else {
    doc["transports"]["docker"][scope] = reqs;
  }
  std::string text = policy_text(doc);
  parse_policy(text, path);  // what is written must read back
  write_file_atomic(path, text);
}

std::vector<TrustRow> trust_rows(const Policy& policy, const RegistriesD& lookaside,
                                 const std::function<void(const std::string&)>& warn) {
  std::vector<TrustRow> rows;
  auto add = [&](const Requirements& reqs, const std::string& transport, const std::string& name,
                 const std::string& repo_name, const std::string& store) {
    for (const Requirement& r : reqs) {
      std::string id;
      if (r.type == "sigstoreSigned") {
        id = "N/A";
      } else if (r.type == "signedBy") {
        try {
          id = key_identities(r);
        } catch (const Error& e) {
          warn(fmt::format("getting key identity: {}", e.what()));
        }
      }
      rows.push_back(TrustRow{transport, name, repo_name, show_type(r.type), id, store});
    }
  };
  add(policy.default_requirements, "all", "* (default)", "default", lookaside.store_for_scope(""));
  for (const auto& [transport, scopes] : policy.transports) {
    for (const auto& [scope, reqs] : scopes) {
      add(reqs, transport == "docker" ? "repository" : transport, scope, scope,
          transport == "docker" ? lookaside.store_for_scope(scope) : "");
    }
  }
  return rows;
}

}  // namespace schicht::trust
