#include "trust/signature_payload.h"

#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "trust/unique_keys_json.h"

namespace schicht::trust {
namespace {

using nlohmann::json;

[[noreturn]] void bad(const std::string& what) {
  fail(ErrorKind::kPolicy, "invalid signature payload: " + what);
}

json parse_strict(std::string_view bytes) {
  UniqueKeysJson parsed = parse_unique_keys_json(bytes);
  if (!parsed.syntax_error.empty()) bad(fmt::format("not JSON: {}", parsed.syntax_error));
  if (!parsed.duplicate_key.empty()) bad(fmt::format("duplicate key {:?}", parsed.duplicate_key));
  return std::move(parsed.doc);
}

// `value` is an object with exactly the members `keys`.
const json& exact(const json& value, const std::string& where,
                  std::initializer_list<std::string_view> keys) {
  if (!value.is_object()) bad(fmt::format("{} is not a JSON object", where));
  for (std::string_view k : keys) {
    if (!value.contains(k)) bad(fmt::format("{} has no {:?}", where, k));
  }
  for (const auto& [key, member] : value.items()) {
    bool known = false;
    for (std::string_view k : keys) known = known || key == k;
    if (!known) bad(fmt::format("unknown member {:?} in {}", key, where));
  }
  return value;
}

std::string string_member(const json& object, const char* key, const std::string& where) {
  const json& v = object[key];
  if (!v.is_string()) bad(fmt::format("{}.{} is not a string", where, key));
  return v.get<std::string>();
}

}  // namespace

std::string build_payload(std::string_view type, const SignedClaims& claims) {
  json optional = json::object();
  if (claims.creator) optional["creator"] = *claims.creator;
  if (claims.timestamp) optional["timestamp"] = *claims.timestamp;
  json doc = {{"critical",
               {{"identity", {{"docker-reference", claims.docker_reference}}},
                {"image", {{"docker-manifest-digest", claims.manifest_digest.str()}}},
                {"type", std::string(type)}}},
              {"optional", optional}};
  return doc.dump();
}

SignedClaims parse_payload(std::string_view bytes, std::string_view type) {
  json doc = parse_strict(bytes);
  exact(doc, "the payload", {"critical", "optional"});
  const json& critical = exact(doc["critical"], "critical", {"type", "image", "identity"});
  std::string found = string_member(critical, "type", "critical");
  if (found != type) {
    bad(fmt::format("signature type is {:?}, expected {:?}", found, type));
  }
  const json& image = exact(critical["image"], "critical.image", {"docker-manifest-digest"});
  std::string digest = string_member(image, "docker-manifest-digest", "critical.image");
  std::optional<Digest> parsed = Digest::try_parse(digest);
  if (!parsed) bad(fmt::format("invalid docker-manifest-digest {:?}", digest));
  const json& identity = exact(critical["identity"], "critical.identity", {"docker-reference"});
  SignedClaims claims{
      .docker_reference = string_member(identity, "docker-reference", "critical.identity"),
      .manifest_digest = *parsed};
  const json& optional = doc["optional"];
  if (optional.is_null()) return claims;  // cosign writes null when it has nothing to say
  if (!optional.is_object()) bad("optional is not a JSON object");
  if (optional.contains("creator")) claims.creator = string_member(optional, "creator", "optional");
  if (optional.contains("timestamp")) {
    const json& t = optional["timestamp"];
    bool integral = t.is_number_integer() ||
                    (t.is_number_float() && std::trunc(t.get<double>()) == t.get<double>() &&
                     std::abs(t.get<double>()) < 9.2e18);
    if (!integral) bad("optional.timestamp is not an integer");
    claims.timestamp =
        t.is_number_float() ? static_cast<int64_t>(t.get<double>()) : t.get<int64_t>();
  }
  return claims;
}

bool manifest_matches(std::string_view manifest, const Digest& signed_digest) {
  Hasher hasher(signed_digest.algorithm());
  hasher.update(manifest);
  return hasher.finish() == signed_digest;
}

}  // namespace schicht::trust
