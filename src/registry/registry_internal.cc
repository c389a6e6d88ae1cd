#include "registry/registry_internal.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/reference.h"

namespace schicht::registry::internal {
namespace {

ErrorKind kind_of_code(std::string_view code) {
  if (code == "BLOB_UNKNOWN" || code == "MANIFEST_UNKNOWN" || code == "NAME_UNKNOWN" ||
      code == "BLOB_UPLOAD_UNKNOWN") {
    return ErrorKind::kNotFound;
  }
  if (code == "UNAUTHORIZED" || code == "DENIED") return ErrorKind::kAuth;
  if (code == "DIGEST_INVALID" || code == "SIZE_INVALID") return ErrorKind::kIntegrity;
  if (code == "MANIFEST_INVALID" || code == "MANIFEST_BLOB_UNKNOWN" || code == "NAME_INVALID" ||
      code == "TAG_INVALID" || code == "BLOB_UPLOAD_INVALID" || code == "MANIFEST_UNVERIFIED") {
    return ErrorKind::kInvalidInput;
  }
  if (code == "UNSUPPORTED") return ErrorKind::kUnsupported;
  return ErrorKind::kNetwork;
}

ErrorKind kind_of_status(long status) {
  if (status == 404) return ErrorKind::kNotFound;
  if (status == 401 || status == 403) return ErrorKind::kAuth;
  return ErrorKind::kNetwork;
}

// "MANIFEST_UNKNOWN" -> "manifest unknown", as distribution's error codes print.
std::string code_words(std::string code) {
  for (char& c : code) {
    c = c == '_' ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return code;
}

bool is_printable(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return std::isprint(static_cast<unsigned char>(c)) || c == '\n' || c == '\t' || c == '\r';
  });
}

}  // namespace

void fail_response(std::string_view what, const http::HttpResponse& response) {
  ErrorKind kind = kind_of_status(response.status);
  std::string text;
  nlohmann::json doc = nlohmann::json::parse(response.body, nullptr, false);
  if (doc.is_object() && doc.contains("errors") && doc["errors"].is_array()) {
    bool first = true;
    for (const nlohmann::json& error : doc["errors"]) {
      if (!error.is_object()) continue;
      std::string code = error.value("code", "");
      std::string message = error.contains("message") && error["message"].is_string()
                                ? error["message"].get<std::string>()
                                : "";
      if (first && !code.empty() && response.status != 401 && response.status != 403) {
        kind = kind_of_code(code);
      }
      std::string part = code.empty() ? message : code_words(code);
      if (!code.empty() && !message.empty()) part += ": " + message;
      if (part.empty()) continue;
      text += (first ? "" : "; ") + part;
      first = false;
    }
  }
  if (text.empty()) {
    std::string body = response.body.substr(0, 200);
    while (!body.empty() && std::isspace(static_cast<unsigned char>(body.back()))) body.pop_back();
    text = "received unexpected HTTP status: " + http::status_text(response.status);
    if (!body.empty() && is_printable(body)) text += ": " + body;
  }
  fail(kind, fmt::format("{}: {}", what, text));
}

Digest digest_with(DigestAlgorithm algorithm, std::string_view bytes) {
  Hasher hasher(algorithm);
  hasher.update(bytes);
  return hasher.finish();
}

std::optional<Digest> content_digest(std::string_view what, const http::HttpResponse& response) {
  std::optional<std::string> header = response.headers.get("Docker-Content-Digest");
  if (!header || header->empty()) return std::nullopt;
  std::optional<Digest> digest = Digest::try_parse(*header);
  if (!digest) {
    fail(ErrorKind::kIntegrity,
         fmt::format("{}: invalid Docker-Content-Digest \"{}\"", what, *header));
  }
  return digest;
}

void check_content_digest(std::string_view what, const http::HttpResponse& response,
                          const Digest& expected) {
  std::optional<Digest> sent = content_digest(what, response);
  if (sent && *sent != expected) {
    fail(ErrorKind::kIntegrity, fmt::format("{}: the registry names digest {}, expected {}", what,
                                            sent->str(), expected.str()));
  }
}

std::string location_of(std::string_view what, const http::HttpResponse& response) {
  std::optional<std::string> location = response.headers.get("Location");
  if (!location || location->empty()) {
    fail(ErrorKind::kNetwork, fmt::format("{}: {} response without a Location", what,
                                          http::status_text(response.status)));
  }
  return http::resolve_url(response.url, *location);
}

void check_repository(std::string_view repository) {
  bool ok = !repository.empty() && repository.find("..") == std::string_view::npos &&
            std::all_of(repository.begin(), repository.end(), [](char c) {
              return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                     c == '-' || c == '/';
            });
  if (!ok) {
    fail(ErrorKind::kInvalidInput, fmt::format("invalid repository name \"{}\"", repository));
  }
}

void check_tag_or_digest(std::string_view reference) {
  if (!is_valid_tag(reference) && !Digest::try_parse(reference)) {
    fail(ErrorKind::kInvalidInput, fmt::format("invalid tag or digest \"{}\"", reference));
  }
}

}  // namespace schicht::registry::internal
