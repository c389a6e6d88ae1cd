#include "oci/json_internal.h"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "core/error.h"

namespace schicht::oci_internal {

void fail_at(const std::string& path, std::string_view message) {
  fail(ErrorKind::kInvalidInput,
       path.empty() ? std::string(message) : fmt::format("{}: {}", path, message));
}

std::string member_path(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : fmt::format("{}.{}", parent, key);
}

std::string element_path(const std::string& parent, size_t index) {
  return fmt::format("{}[{}]", parent, index);
}

Json parse_json_object(std::string_view raw) {
  Json document;
  try {
    document = Json::parse(raw);
  } catch (const Json::exception& e) {
    // Not only parse_error: a number too large for a double is out_of_range.406.
    // nlohmann's text starts with "[json.exception.KIND.NNN] "; keep what follows.
    std::string_view reason = e.what();
    if (size_t end = reason.find("] "); reason.starts_with("[") && end != reason.npos) {
      reason.remove_prefix(end + 2);
    }
    fail(ErrorKind::kInvalidInput, fmt::format("malformed JSON: {}", reason));
  }
  if (!document.is_object()) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("expected a JSON object, got a JSON {}", document.type_name()));
  }
  return document;
}

const Json* find_member(const Json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

namespace {

[[noreturn]] void fail_type(const std::string& path, std::string_view wanted, const Json& got) {
  fail_at(path, fmt::format("expected a JSON {}, got a JSON {}", wanted, got.type_name()));
}

}  // namespace

const Json* find_object(const Json& object, const char* key, const std::string& path) {
  const Json* value = find_member(object, key);
  if (value != nullptr && !value->is_object()) fail_type(member_path(path, key), "object", *value);
  return value;
}

const Json* find_array(const Json& object, const char* key, const std::string& path) {
  const Json* value = find_member(object, key);
  if (value != nullptr && !value->is_array()) fail_type(member_path(path, key), "array", *value);
  return value;
}

std::optional<std::string> read_optional_string(const Json& object, const char* key,
                                                const std::string& path) {
  const Json* value = find_member(object, key);
  if (value == nullptr) return std::nullopt;
  if (!value->is_string()) fail_type(member_path(path, key), "string", *value);
  return value->get<std::string>();
}

std::string read_string(const Json& object, const char* key, const std::string& path) {
  return read_optional_string(object, key, path).value_or("");
}

std::optional<int64_t> read_int64(const Json& object, const char* key, const std::string& path) {
  const Json* value = find_member(object, key);
  if (value == nullptr) return std::nullopt;
  if (value->is_number_unsigned()) {
    const auto number = value->get<uint64_t>();
    if (number > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      fail_at(member_path(path, key), fmt::format("{} does not fit in a 64-bit integer", number));
    }
    return static_cast<int64_t>(number);
  }
  if (value->is_number_integer()) return value->get<int64_t>();
  if (value->is_number_float()) {
    fail_at(member_path(path, key), fmt::format("{} is not an integer", value->dump()));
  }
  fail_type(member_path(path, key), "number", *value);
}

bool read_bool(const Json& object, const char* key, const std::string& path) {
  const Json* value = find_member(object, key);
  if (value == nullptr) return false;
  if (!value->is_boolean()) fail_type(member_path(path, key), "boolean", *value);
  return value->get<bool>();
}

std::vector<std::string> read_string_array(const Json& object, const char* key,
                                           const std::string& path) {
  std::vector<std::string> out;
  const Json* array = find_array(object, key, path);
  if (array == nullptr) return out;
  const std::string array_path = member_path(path, key);
  for (size_t i = 0; i < array->size(); ++i) {
    const Json& item = (*array)[i];
    if (!item.is_string()) fail_type(element_path(array_path, i), "string", item);
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::map<std::string, std::string> read_string_map(const Json& object, const char* key,
                                                   const std::string& path) {
  std::map<std::string, std::string> out;
  const Json* map = find_object(object, key, path);
  if (map == nullptr) return out;
  const std::string map_path = member_path(path, key);
  for (const auto& [name, value] : map->items()) {
    // Go decodes a null into a string as "": keep the key, as podman would show it.
    if (value.is_null()) {
      out[name] = "";
      continue;
    }
    if (!value.is_string()) fail_type(member_path(map_path, name), "string", value);
    out[name] = value.get<std::string>();
  }
  return out;
}

std::vector<std::string> read_object_keys(const Json& object, const char* key,
                                          const std::string& path) {
  std::vector<std::string> out;
  const Json* map = find_object(object, key, path);
  if (map == nullptr) return out;
  for (const auto& [name, value] : map->items()) out.push_back(name);
  std::sort(out.begin(), out.end());
  return out;
}

Digest parse_digest_text(const std::string& text, const std::string& path) {
  std::optional<Digest> digest = Digest::try_parse(text);
  if (!digest) fail_at(path, fmt::format("invalid digest \"{}\"", text));
  return *digest;
}

std::optional<int64_t> read_schema_version(const Json& document) {
  return read_int64(document, "schemaVersion", "");
}

std::string_view bare_content_type(std::string_view content_type) {
  content_type = content_type.substr(0, content_type.find(';'));
  const size_t begin = content_type.find_first_not_of(" \t");
  if (begin == content_type.npos) return {};
  const size_t end = content_type.find_last_not_of(" \t");
  return content_type.substr(begin, end - begin + 1);
}

void write_string_map(GoJsonWriter& out, const std::map<std::string, std::string>& map) {
  // std::map orders keys bytewise, as Go sorts map keys when it marshals them.
  out.begin_object();
  for (const auto& [name, value] : map) out.key(name).string(value);
  out.end_object();
}

}  // namespace schicht::oci_internal
