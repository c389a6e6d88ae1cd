// RegistryClient: ping, authentication, manifests, blob reads and tag listing. Uploads are in
// registry_upload.cc.
#include "registry/registry_client.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <mutex>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/media_type.h"
#include "core/reference.h"
#include "registry/auth_file.h"
#include "registry/registry_internal.h"

namespace schicht::registry {

using internal::check_content_digest;
using internal::check_repository;
using internal::check_tag_or_digest;
using internal::content_digest;
using internal::digest_with;
using internal::fail_response;

namespace {

constexpr size_t kPingBodyLimit = 64 * 1024;
constexpr size_t kTagPageLimit = size_t{8} << 20;
// A tag list's Link chain is the registry's to end: a broken or hostile one could send a
// client through new pages forever. Real repositories stay far below both bounds (registries
// page by 100 to 1,000 tags).
constexpr int kMaxTagPages = 1'000;
constexpr size_t kMaxTags = 100'000;

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The media type of a Content-Type value, without parameters or surrounding space.
std::string media_type_of(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && std::isspace(static_cast<unsigned char>(type.front()))) {
    type.remove_prefix(1);
  }
  while (!type.empty() && std::isspace(static_cast<unsigned char>(type.back()))) {
    type.remove_suffix(1);
  }
  return lower(type);
}

}  // namespace

struct RegistryClient::AuthState {
  explicit AuthState(http::HttpClient& http) : tokens(http) {}

  std::mutex ping_mutex;  // held through the ping, so that it happens once
  bool pinged = false;
  std::string base_url;

  std::mutex mutex;  // guards the fields below
  std::vector<AuthChallenge> challenges;
  std::map<std::string, std::optional<Credentials>, std::less<>> credentials;

  TokenClient tokens;
};

fs::path default_cert_dir(std::string_view host) {
  std::vector<fs::path> roots;
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    roots.push_back(fs::path(home) / ".config/containers/certs.d");
  }
  roots.push_back("/etc/containers/certs.d");
  roots.push_back("/etc/docker/certs.d");
  std::error_code ec;
  for (const fs::path& root : roots) {
    fs::path dir = root / std::string(host);
    if (fs::is_directory(dir, ec)) return dir;
  }
  return {};
}

const std::vector<std::string>& accepted_manifest_types() {
  static const std::vector<std::string> kTypes = {
      std::string(media_type::kOciManifest),         std::string(media_type::kOciIndex),
      std::string(media_type::kDockerManifest),      std::string(media_type::kDockerManifestList),
      std::string(media_type::kDockerSchema1Signed), std::string(media_type::kDockerSchema1),
  };
  return kTypes;
}

std::string next_link(const std::vector<std::string>& link_values) {
  for (const std::string& value : link_values) {
    size_t pos = 0;
    while ((pos = value.find('<', pos)) != std::string::npos) {
      size_t close = value.find('>', pos);
      if (close == std::string::npos) break;
      std::string target = value.substr(pos + 1, close - pos - 1);
      size_t next = value.find('<', close);
      std::string params = lower(value.substr(close + 1, next - close - 1));
      pos = close;
      size_t rel = params.find("rel=");
      if (rel == std::string::npos) continue;
      std::string relations = params.substr(rel + 4);
      relations = relations.substr(0, relations.find_first_of(";,"));
      std::erase(relations, '"');
      size_t start = 0;
      while (start <= relations.size()) {
        size_t space = relations.find(' ', start);
        if (relations.substr(start, space - start) == "next") return target;
        if (space == std::string::npos) break;
        start = space + 1;
      }
    }
  }
  return "";
}

RegistryClient::RegistryClient(std::string host, RegistryOptions options)
    : host_(std::move(host)), options_(std::move(options)) {
  api_host_ = host_ == "docker.io" ? "registry-1.docker.io" : host_;
  // An explicit --tls-verify overrides registries.conf either way, as in containers/image.
  if (options_.tls_verify) options_.insecure = !*options_.tls_verify;
  http::HttpOptions http = options_.http;
  http.tls_verify = !options_.insecure;
  http.cert_dir = options_.cert_dir.empty() ? default_cert_dir(host_) : options_.cert_dir;
  http_ = std::make_unique<http::HttpClient>(std::move(http));
  auth_ = std::make_unique<AuthState>(*http_);
}

RegistryClient::~RegistryClient() = default;

std::string RegistryClient::ping() {
  std::lock_guard lock(auth_->ping_mutex);
  if (auth_->pinged) return auth_->base_url;
  std::string what = fmt::format("pinging container registry {}", host_);
  auto attempt = [&](std::string_view scheme) -> http::HttpResponse {
    http::HttpRequest request{.method = "GET",
                              .url = fmt::format("{}://{}/v2/", scheme, api_host_)};
    http::HttpResponse response = http_->send(request, kPingBodyLimit);
    if (response.status != 200 && response.status != 401) {
      fail(ErrorKind::kNetwork,
           fmt::format("invalid status code from registry {}", http::status_text(response.status)));
    }
    return response;
  };
  http::HttpResponse response;
  std::string scheme = "https";
  try {
    response = attempt(scheme);
  } catch (const Error& https_error) {
    if (!options_.insecure) throw https_error.with_context(what);
    scheme = "http";
    try {
      response = attempt(scheme);
    } catch (const Error& http_error) {
      fail(http_error.kind(),
           fmt::format("{}: {}; over https: {}", what, http_error.what(), https_error.what()));
    }
  }
  {
    std::lock_guard state_lock(auth_->mutex);
    auth_->challenges = parse_www_authenticate(response.headers.get_all("WWW-Authenticate"));
  }
  auth_->base_url = fmt::format("{}://{}", scheme, api_host_);
  auth_->pinged = true;
  return auth_->base_url;
}

std::string RegistryClient::url(std::string_view path) {
  return ping() + std::string(path);
}

std::optional<Credentials> RegistryClient::credentials_for(std::string_view repository) {
  if (options_.credentials) return options_.credentials;
  std::lock_guard lock(auth_->mutex);
  auto it = auth_->credentials.find(repository);
  if (it != auth_->credentials.end()) return it->second;
  std::optional<Credentials> found =
      find_credentials(fmt::format("{}/{}", host_, repository), options_.auth_file);
  auth_->credentials.emplace(std::string(repository), found);
  return found;
}

template <typename Send>
http::HttpResponse RegistryClient::send_authorized(http::HttpRequest request,
                                                   std::string_view repository, Access access,
                                                   const std::vector<std::string>& extra_scopes,
                                                   Send&& send) {
  ping();
  std::vector<std::string> scopes;
  if (!repository.empty()) {  // empty: a registry-wide request (the catalog)
    scopes.push_back(repository_scope(repository, access == Access::kPush ? "pull,push" : "pull"));
  }
  scopes.insert(scopes.end(), extra_scopes.begin(), extra_scopes.end());
  // Looked up on first need: a registry that asks for no authentication reads no auth files.
  std::optional<std::optional<Credentials>> looked_up;
  auto credentials = [&]() -> const std::optional<Credentials>& {
    if (!looked_up) looked_up = credentials_for(repository);
    return *looked_up;
  };

  // Sets Authorization for the challenges known now; returns the bearer challenge used.
  auto authorize = [&]() -> std::optional<AuthChallenge> {
    std::vector<AuthChallenge> challenges;
    {
      std::lock_guard lock(auth_->mutex);
      challenges = auth_->challenges;
    }
    request.headers.remove("Authorization");
    for (const AuthChallenge& challenge : challenges) {
      if (challenge.scheme == "bearer") {
        request.headers.set("Authorization",
                            "Bearer " + auth_->tokens.token(challenge, scopes, credentials()));
        return challenge;
      }
    }
    for (const AuthChallenge& challenge : challenges) {
      if (challenge.scheme == "basic" && credentials() && !credentials()->username.empty()) {
        request.headers.set("Authorization", basic_authorization(*credentials()));
      }
    }
    return std::nullopt;
  };

  std::optional<AuthChallenge> bearer = authorize();
  http::HttpResponse response = send(request);
  if (response.status != 401) return response;
  // Refused: the token may have expired or lack a scope, or the registry challenges only
  // now. Authenticate afresh once, with the scope the challenge names.
  if (request.body_reader != nullptr) return response;  // the body is spent; cannot replay
  std::vector<AuthChallenge> fresh =
      parse_www_authenticate(response.headers.get_all("WWW-Authenticate"));
  if (!fresh.empty()) {
    std::lock_guard lock(auth_->mutex);
    auth_->challenges = fresh;
  }
  if (bearer) auth_->tokens.invalidate(*bearer, scopes, credentials());
  for (const AuthChallenge& challenge : fresh) {
    std::string scope = challenge.param("scope");
    if (challenge.scheme == "bearer" && !scope.empty() &&
        std::find(scopes.begin(), scopes.end(), scope) == scopes.end()) {
      scopes.push_back(scope);
    }
  }
  bearer = authorize();
  if (!request.headers.contains("Authorization")) return response;  // nothing new to offer
  response = send(request);
  if (response.status == 401 && bearer) auth_->tokens.invalidate(*bearer, scopes, credentials());
  return response;
}

http::HttpResponse RegistryClient::send(http::HttpRequest request, std::string_view repository,
                                        Access access, size_t body_limit,
                                        const std::vector<std::string>& extra_scopes) {
  return send_authorized(std::move(request), repository, access, extra_scopes,
                         [&](const http::HttpRequest& r) { return http_->send(r, body_limit); });
}

Manifest RegistryClient::get_manifest(std::string_view repository, std::string_view tag_or_digest) {
  check_repository(repository);
  check_tag_or_digest(tag_or_digest);
  std::string what = fmt::format("reading manifest {} in {}/{}", tag_or_digest, host_, repository);
  http::HttpRequest request{
      .method = "GET", .url = url(fmt::format("/v2/{}/manifests/{}", repository, tag_or_digest))};
  request.headers.set("Accept", fmt::format("{}", fmt::join(accepted_manifest_types(), ", ")));
  http::HttpResponse response =
      send(std::move(request), repository, Access::kPull, kManifestSizeLimit);
  if (response.status != 200) fail_response(what, response);

  Manifest out{std::move(response.body),
               media_type_of(response.headers.get("Content-Type").value_or("")),
               Digest::sha256_of("")};
  std::optional<Digest> asked = Digest::try_parse(tag_or_digest);
  out.digest = digest_with(asked ? asked->algorithm() : DigestAlgorithm::kSha256, out.bytes);
  if (asked && out.digest != *asked) {
    fail(ErrorKind::kIntegrity,
         fmt::format("{}: manifest digest {} does not match the requested digest", what,
                     out.digest.str()));
  }
  if (std::optional<Digest> sent = content_digest(what, response)) {
    if (digest_with(sent->algorithm(), out.bytes) != *sent) {
      fail(ErrorKind::kIntegrity,
           fmt::format("{}: manifest does not match its Docker-Content-Digest {}", what,
                       sent->str()));
    }
  }
  // A body that names another media type than the one it was served as is ambiguous; only
  // registry-declared manifest types are compared (generic types like application/json are
  // left to the parser).
  const auto& known = accepted_manifest_types();
  if (std::find(known.begin(), known.end(), out.media_type) != known.end()) {
    nlohmann::json doc = nlohmann::json::parse(out.bytes, nullptr, false);
    if (doc.is_object() && doc.contains("mediaType") && doc["mediaType"].is_string() &&
        doc["mediaType"].get<std::string>() != out.media_type) {
      fail(ErrorKind::kInvalidInput,
           fmt::format("{}: manifest mediaType {} does not match its Content-Type {}", what,
                       doc["mediaType"].get<std::string>(), out.media_type));
    }
  }
  return out;
}

std::optional<ManifestHead> RegistryClient::head_manifest(std::string_view repository,
                                                          std::string_view tag_or_digest) {
  check_repository(repository);
  check_tag_or_digest(tag_or_digest);
  std::string what = fmt::format("checking manifest {} in {}/{}", tag_or_digest, host_, repository);
  http::HttpRequest request{
      .method = "HEAD", .url = url(fmt::format("/v2/{}/manifests/{}", repository, tag_or_digest))};
  request.headers.set("Accept", fmt::format("{}", fmt::join(accepted_manifest_types(), ", ")));
  http::HttpResponse response = send(std::move(request), repository, Access::kPull);
  if (response.status == 404) return std::nullopt;
  if (response.status != 200) fail_response(what, response);
  ManifestHead out;
  out.media_type = media_type_of(response.headers.get("Content-Type").value_or(""));
  out.digest = content_digest(what, response);
  if (auto length = response.headers.get("Content-Length")) {
    char* end = nullptr;
    unsigned long long value = std::strtoull(length->c_str(), &end, 10);
    if (end != length->c_str() && *end == '\0') out.size = value;
  }
  return out;
}

Digest RegistryClient::put_manifest(std::string_view repository, std::string_view tag_or_digest,
                                    std::string_view bytes, std::string_view media_type) {
  check_repository(repository);
  check_tag_or_digest(tag_or_digest);
  std::string what =
      fmt::format("uploading manifest {} to {}/{}", tag_or_digest, host_, repository);
  std::optional<Digest> asked = Digest::try_parse(tag_or_digest);
  Digest digest = digest_with(asked ? asked->algorithm() : DigestAlgorithm::kSha256, bytes);
  if (asked && digest != *asked) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("{}: the manifest's digest is {}", what, digest.str()));
  }
  http::HttpRequest request{
      .method = "PUT",
      .url = url(fmt::format("/v2/{}/manifests/{}", repository, tag_or_digest)),
      .body = std::string(bytes)};
  request.headers.set("Content-Type", media_type);
  http::HttpResponse response = send(std::move(request), repository, Access::kPush);
  if (response.status < 200 || response.status > 299) fail_response(what, response);
  if (std::optional<Digest> sent = content_digest(what, response)) {
    if (digest_with(sent->algorithm(), bytes) != *sent) {
      fail(ErrorKind::kIntegrity, fmt::format("{}: the registry stored digest {}, expected {}",
                                              what, sent->str(), digest.str()));
    }
  }
  return digest;
}

std::optional<BlobHead> RegistryClient::head_blob(std::string_view repository,
                                                  const Digest& digest) {
  check_repository(repository);
  std::string what = fmt::format("checking blob {} in {}/{}", digest.str(), host_, repository);
  http::HttpRequest request{.method = "HEAD",
                            .url = url(fmt::format("/v2/{}/blobs/{}", repository, digest.str()))};
  http::HttpResponse response = send(std::move(request), repository, Access::kPull);
  if (response.status == 404) return std::nullopt;
  if (response.status != 200) fail_response(what, response);
  check_content_digest(what, response, digest);
  std::optional<std::string> length = response.headers.get("Content-Length");
  char* end = nullptr;
  unsigned long long size = length ? std::strtoull(length->c_str(), &end, 10) : 0;
  if (!length || end == length->c_str() || *end != '\0') {
    fail(ErrorKind::kNetwork, fmt::format("{}: the answer has no valid Content-Length", what));
  }
  return BlobHead{size, content_digest(what, response)};
}

void RegistryClient::get_blob(std::string_view repository, const Digest& digest, uint64_t size,
                              Writer& sink, uint64_t offset) {
  check_repository(repository);
  std::string what = fmt::format("reading blob {} from {}/{}", digest.str(), host_, repository);
  http::HttpRequest request{.method = "GET",
                            .url = url(fmt::format("/v2/{}/blobs/{}", repository, digest.str()))};
  http::HttpResponse response = with_context(what, [&] {
    return send_authorized(
        std::move(request), repository, Access::kPull, {},
        [&](const http::HttpRequest& r) { return http_->download(r, sink, offset, size); });
  });
  if (response.status != 200 && response.status != 206) fail_response(what, response);
  check_content_digest(what, response, digest);
}

std::optional<std::string> RegistryClient::get_referrers(std::string_view repository,
                                                         const Digest& digest) {
  check_repository(repository);
  http::HttpRequest request{
      .method = "GET", .url = url(fmt::format("/v2/{}/referrers/{}", repository, digest.str()))};
  request.headers.set("Accept", std::string(media_type::kOciIndex));
  http::HttpResponse response =
      send(std::move(request), repository, Access::kPull, kManifestSizeLimit);
  if (response.status == 404) return std::nullopt;
  if (response.status != 200) {
    fail_response(fmt::format("fetching referrers of {} in {}/{}", digest.str(), host_, repository),
                  response);
  }
  return std::move(response.body);
}

std::vector<std::string> RegistryClient::list_tags(std::string_view repository, size_t page_size) {
  check_repository(repository);
  return list_pages(fmt::format("/v2/{}/tags/list", repository), "tags", repository, {},
                    fmt::format("fetching tags list of {}/{}", host_, repository), page_size);
}

std::vector<std::string> RegistryClient::list_catalog(size_t page_size) {
  return list_pages("/v2/_catalog", "repositories", "", {"registry:catalog:*"},
                    fmt::format("fetching the catalog of {}", host_), page_size);
}

std::vector<std::string> RegistryClient::list_pages(const std::string& path,
                                                    const std::string& member,
                                                    std::string_view repository,
                                                    const std::vector<std::string>& scopes,
                                                    const std::string& what, size_t page_size) {
  std::string next = url(path);
  if (page_size > 0) next = http::add_query(next, "n", std::to_string(page_size));
  std::vector<std::string> items;
  std::set<std::string> visited;
  for (int page = 0; page < kMaxTagPages; ++page) {
    visited.insert(next);
    http::HttpResponse response = send(http::HttpRequest{.method = "GET", .url = next}, repository,
                                       Access::kPull, kTagPageLimit, scopes);
    if (response.status != 200) fail_response(what, response);
    nlohmann::json doc = nlohmann::json::parse(response.body, nullptr, false);
    if (!doc.is_object()) fail(ErrorKind::kNetwork, what + ": the answer is not a JSON object");
    if (auto it = doc.find(member); it != doc.end() && !it->is_null()) {
      if (!it->is_array()) {
        fail(ErrorKind::kNetwork, fmt::format("{}: {:?} is not an array", what, member));
      }
      for (const nlohmann::json& item : *it) {
        if (!item.is_string()) {
          fail(ErrorKind::kNetwork,
               fmt::format("{}: an entry of {:?} is not a string", what, member));
        }
        items.push_back(item.get<std::string>());
      }
      if (items.size() > kMaxTags) {
        fail(ErrorKind::kNetwork,
             fmt::format("{}: more than {} {}; refusing to read further", what, kMaxTags, member));
      }
    }
    std::string link = next_link(response.headers.get_all("Link"));
    if (link.empty()) return items;
    next = http::resolve_url(response.url, link);
    if (visited.count(next) != 0) {
      fail(ErrorKind::kNetwork, fmt::format("{}: pagination returns to {}", what, next));
    }
  }
  fail(ErrorKind::kNetwork,
       fmt::format("{}: more than {} pages (the registry's Link chain does not end)", what,
                   kMaxTagPages));
}

}  // namespace schicht::registry
