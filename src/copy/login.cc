#include "copy/login.h"

#include <string>

#include <fmt/format.h>

#include "core/error.h"
#include "http/client.h"

namespace schicht::copy {
namespace {

constexpr size_t kPingBodyLimit = 64 * 1024;

[[noreturn]] void fail_refused() {
  fail(ErrorKind::kAuth, "invalid username/password");
}

// The Authorization header answering the registry's challenges with `credentials`.
std::string authorization_for(http::HttpClient& http, const http::HttpResponse& refusal,
                              const registry::Credentials& credentials) {
  std::vector<registry::AuthChallenge> challenges =
      registry::parse_www_authenticate(refusal.headers.get_all("WWW-Authenticate"));
  for (const registry::AuthChallenge& challenge : challenges) {
    if (challenge.scheme != "bearer") continue;
    registry::TokenClient tokens(http);
    try {
      return "Bearer " + tokens.token(challenge, {}, credentials);
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::kAuth) fail_refused();
      throw;
    }
  }
  for (const registry::AuthChallenge& challenge : challenges) {
    if (challenge.scheme == "basic") return registry::basic_authorization(credentials);
  }
  fail(ErrorKind::kAuth, "the registry asks for an authentication scheme schicht does not speak");
}

}  // namespace

void check_login(std::string_view host, const registry::RegistryOptions& options,
                 const registry::Credentials& credentials) {
  bool insecure = options.tls_verify ? !*options.tls_verify : options.insecure;
  http::HttpOptions http_options = options.http;
  http_options.tls_verify = !insecure;
  http_options.cert_dir =
      options.cert_dir.empty() ? registry::default_cert_dir(host) : options.cert_dir;
  http::HttpClient http(http_options);
  std::string api_host = host == "docker.io" ? "registry-1.docker.io" : std::string(host);
  std::string ping = fmt::format("pinging container registry {}", host);

  auto get = [&](const std::string& base, const std::string& authorization) {
    http::HttpRequest request{.method = "GET", .url = base + "/v2/"};
    if (!authorization.empty()) request.headers.set("Authorization", authorization);
    http::HttpResponse response = http.send(request, kPingBodyLimit);
    if (response.status != 200 && response.status != 401 && response.status != 403) {
      fail(ErrorKind::kNetwork,
           fmt::format("invalid status code from registry {}", http::status_text(response.status)));
    }
    return response;
  };
  std::string base = "https://" + api_host;
  http::HttpResponse response;
  try {
    response = get(base, "");
  } catch (const Error& https_error) {
    if (!insecure) throw https_error.with_context(ping);
    base = "http://" + api_host;
    response = with_context(ping, [&] { return get(base, ""); });
  }
  if (response.status == 200) return;
  response = get(base, authorization_for(http, response, credentials));
  if (response.status != 200) fail_refused();
}

}  // namespace schicht::copy
