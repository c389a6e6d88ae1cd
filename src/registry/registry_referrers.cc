// The OCI referrers API (distribution-spec 1.1) with its tag-scheme fallback for registries
// that predate it.
#include <fmt/format.h>

#include "core/error.h"
#include "core/media_type.h"
#include "registry/registry_client.h"
#include "registry/registry_internal.h"

namespace schicht::registry {

using internal::check_repository;
using internal::fail_response;

RegistryClient::ReferrersIndex RegistryClient::referrers(std::string_view repository,
                                                         const Digest& digest) {
  if (std::optional<std::string> body = get_referrers(repository, digest)) {
    return {.bytes = std::move(*body), .from_api = true};
  }
  std::string tag = fmt::format("{}-{}", digest.algorithm_name(), digest.hex());
  try {
    Manifest index = get_manifest(repository, tag);
    if (index.media_type != media_type::kOciIndex) {
      fail(ErrorKind::kInvalidInput,
           fmt::format("reading referrers of {} in {}/{}: the referrers tag {} holds {}, not an "
                       "OCI index",
                       digest.str(), host_, repository, tag, index.media_type));
    }
    return {.bytes = std::move(index.bytes)};
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::kNotFound) throw;
  }
  return {.bytes = fmt::format(R"({{"schemaVersion":2,"mediaType":"{}","manifests":[]}})",
                               media_type::kOciIndex)};
}

std::optional<std::string> RegistryClient::get_referrers(std::string_view repository,
                                                         const Digest& digest) {
  check_repository(repository);
  http::HttpRequest request{
      .method = "GET", .url = url(fmt::format("/v2/{}/referrers/{}", repository, digest.str()))};
  request.headers.set("Accept", std::string(media_type::kOciIndex));
  http::HttpResponse response =
      send(std::move(request), repository, Access::kPull, kManifestSizeLimit);
  if (response.status == 200) return std::move(response.body);
  // Registries without the API answer 404 (or, some, 400, 405, 406 or 501 for an unknown
  // route); anything else (auth, throttling, server errors) is an error, not "none".
  int s = response.status;
  if (s != 404 && s != 400 && s != 405 && s != 406 && s != 501) {
    fail_response(fmt::format("reading referrers of {} in {}/{}", digest.str(), host_, repository),
                  response);
  }
  return std::nullopt;
}

}  // namespace schicht::registry
