// Helpers shared by registry_client.cc and registry_upload.cc; not for use outside the module.
// Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/digest.h"
#include "http/client.h"

namespace schicht::registry::internal {

// Throws the error a registry's answer means: the kind from its error codes (or status), the
// message "<what>: <code words>: <message>" as podman prints them.
[[noreturn]] void fail_response(std::string_view what, const http::HttpResponse& response);

// The digest of `bytes` with the given algorithm.
Digest digest_with(DigestAlgorithm algorithm, std::string_view bytes);

// The Docker-Content-Digest of a response, if any. kIntegrity when it is not a digest.
std::optional<Digest> content_digest(std::string_view what, const http::HttpResponse& response);

// kIntegrity unless a Docker-Content-Digest the response carries names `expected`.
void check_content_digest(std::string_view what, const http::HttpResponse& response,
                          const Digest& expected);

// The Location of a response resolved against its URL; kNetwork when it has none.
std::string location_of(std::string_view what, const http::HttpResponse& response);

// Repository names and references go into URL paths: kInvalidInput for anything the reference
// grammar would not produce, so that no caller can smuggle "../" or a query into a request.
void check_repository(std::string_view repository);
void check_tag_or_digest(std::string_view reference);

}  // namespace schicht::registry::internal
