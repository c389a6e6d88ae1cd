// Registry authentication: WWW-Authenticate challenges, Basic credentials and bearer tokens.
//
// parse_www_authenticate reads RFC 7235 challenges (several per header, quoted strings with
// escapes). TokenClient fetches bearer tokens from a challenge's realm, the GET flow of the
// distribution token spec (with Basic credentials when known, anonymous otherwise), or the
// OAuth2 refresh-token POST when the credentials hold an identity token; tokens are cached per
// realm, service, scope set and user until shortly before they expire.
//
// Ownership: a TokenClient borrows the HttpClient it sends with.
// Thread-safety: TokenClient may be shared by threads (one fetch at a time); the free
// functions are pure.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/client.h"

namespace schicht::registry {

struct AuthChallenge {
  std::string scheme;                         // lower case: "basic", "bearer", ...
  std::map<std::string, std::string> params;  // names in lower case, values unquoted
  std::string token68;                        // a scheme's bare token, rarely used

  // The parameter's value, empty when absent.
  std::string param(std::string_view name) const;
};

// Parses the value of one WWW-Authenticate field, which may hold several challenges. Malformed
// text yields the challenges read before it (a registry's odd header must not hide a usable
// challenge); never throws.
std::vector<AuthChallenge> parse_www_authenticate(std::string_view value);
// All challenges of all the given fields, in order.
std::vector<AuthChallenge> parse_www_authenticate(const std::vector<std::string>& values);

struct Credentials {
  std::string username;
  std::string password;
  // An OAuth2 refresh token (auth.json "identitytoken"): tokens come from the OAuth2 POST.
  std::string identity_token;

  bool empty() const { return username.empty() && password.empty() && identity_token.empty(); }
  bool operator==(const Credentials&) const = default;
};

std::string base64_encode(std::string_view bytes);
// Standard alphabet with padding; nullopt for anything else.
std::optional<std::string> base64_decode(std::string_view text);

// "Basic " + base64(user:password).
std::string basic_authorization(const Credentials& credentials);

// "repository:<name>:<actions>", e.g. repository_scope("library/alpine", "pull,push").
std::string repository_scope(std::string_view repository, std::string_view actions);

struct BearerToken {
  std::string token;
  std::chrono::steady_clock::time_point expires;
};

// Reads a token server's JSON answer: `token` or `access_token`, `expires_in` (default and
// minimum 60 s). The lifetime counts from `received`, not from `issued_at`, so that a skewed
// local clock cannot make a fresh token look stale or a stale one fresh. kAuth when no token.
BearerToken parse_token_response(std::string_view body,
                                 std::chrono::steady_clock::time_point received);

class TokenClient {
 public:
  // `http` must outlive the TokenClient.
  explicit TokenClient(http::HttpClient& http) : http_(http) {}

  // A bearer token for `scopes` from the challenge's realm and service, cached until a few
  // seconds before it expires. kAuth when the token server refuses the credentials (or the
  // challenge has no usable realm), kNetwork when it cannot be reached.
  std::string token(const AuthChallenge& challenge, const std::vector<std::string>& scopes,
                    const std::optional<Credentials>& credentials);

  // Forgets the cached token for these arguments: the registry refused it.
  void invalidate(const AuthChallenge& challenge, const std::vector<std::string>& scopes,
                  const std::optional<Credentials>& credentials);

 private:
  BearerToken fetch(const AuthChallenge& challenge, const std::vector<std::string>& scopes,
                    const std::optional<Credentials>& credentials);

  http::HttpClient& http_;
  std::mutex mutex_;
  std::map<std::string, BearerToken> cache_;
};

}  // namespace schicht::registry
