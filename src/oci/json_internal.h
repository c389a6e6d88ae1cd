// Internal to src/oci, never include it elsewhere: it pulls in nlohmann-json. Reads JSON
// documents into schicht errors, and holds the descriptor codec manifests and indexes share.
//
// Errors thrown here are kInvalidInput with the JSON path first ("layers[1].size: ..."); the
// public parse functions prefix what was being parsed ("invalid image manifest: ...").
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/digest.h"
#include "core/error.h"
#include "oci/descriptor.h"
#include "oci/go_json.h"

namespace schicht::oci_internal {

using Json = nlohmann::json;

[[noreturn]] void fail_at(const std::string& path, std::string_view message);

std::string member_path(const std::string& parent, std::string_view key);
std::string element_path(const std::string& parent, size_t index);

// Parses `raw` as one JSON object; "malformed JSON: <nlohmann's position and reason>" otherwise.
Json parse_json_object(std::string_view raw);

// Readers of object members. As in Go, an absent member and a null one are the same; a member of
// the wrong JSON type is an error naming its path.
const Json* find_member(const Json& object, const char* key);
const Json* find_object(const Json& object, const char* key, const std::string& path);
const Json* find_array(const Json& object, const char* key, const std::string& path);
std::string read_string(const Json& object, const char* key, const std::string& path);
std::optional<std::string> read_optional_string(const Json& object, const char* key,
                                                const std::string& path);
std::optional<int64_t> read_int64(const Json& object, const char* key, const std::string& path);
bool read_bool(const Json& object, const char* key, const std::string& path);
std::vector<std::string> read_string_array(const Json& object, const char* key,
                                           const std::string& path);
std::map<std::string, std::string> read_string_map(const Json& object, const char* key,
                                                   const std::string& path);
// The member names of an object-valued member ({"80/tcp":{}} → "80/tcp"), sorted.
std::vector<std::string> read_object_keys(const Json& object, const char* key,
                                          const std::string& path);
Digest parse_digest_text(const std::string& text, const std::string& path);

// The "schemaVersion" member; nullopt when absent.
std::optional<int64_t> read_schema_version(const Json& document);

// What a manifest or index document is, after the checks both parsers share: schema 1
// (kUnsupported), mediaType member against Content-Type and against the detected type,
// schemaVersion 2, the type family wanted, and members that make the document ambiguous.
struct DocumentType {
  std::string media_type;
  MediaTypeField media_type_field;
};
enum class DocumentFamily { kManifest, kIndex };
DocumentType resolve_document_type(const Json& document, std::string_view content_type,
                                   DocumentFamily wanted);

// Runs `parse`, prefixing `context` to kInvalidInput errors (kUnsupported ones say enough).
template <typename Fn>
auto with_invalid_input_context(std::string_view context, Fn&& parse) -> decltype(parse()) {
  try {
    return parse();
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::kInvalidInput) throw;
    throw e.with_context(context);
  }
}

// detect_manifest_type on an already parsed document.
std::string detect_type(const Json& document, std::string_view content_type);
// The media type part of a Content-Type value: parameters and surrounding blanks removed.
std::string_view bare_content_type(std::string_view content_type);

// Which descriptor fields a dialect knows. Docker schema 2 descriptors have only mediaType,
// size, digest and urls (plus platform in lists); other members are ignored like any unknown.
enum class DescriptorDialect { kOci, kDocker };

Descriptor parse_descriptor_value(const Json& value, const std::string& path,
                                  DescriptorDialect dialect);

void write_string_map(GoJsonWriter& out, const std::map<std::string, std::string>& map);
void write_oci_descriptor(GoJsonWriter& out, const Descriptor& descriptor);
// Docker order: mediaType, size, digest, urls; lists add a platform that is always written.
void write_docker_descriptor(GoJsonWriter& out, const Descriptor& descriptor, bool list_entry);

}  // namespace schicht::oci_internal
