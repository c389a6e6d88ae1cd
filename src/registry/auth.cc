#include "registry/auth.h"

#include <algorithm>
#include <array>
#include <cctype>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.h"

namespace schicht::registry {
namespace {

constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Tokens are renewed this long before they expire, so a request never carries one that lapses
// on its way.
constexpr std::chrono::seconds kRenewalMargin{10};
constexpr size_t kTokenResponseLimit = 1 << 20;

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// RFC 7230 tchar, plus '/' so that a token68 ("abc/def==" minus its padding) reads as one word.
bool is_word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~/").find(c) != std::string_view::npos;
}

// A cursor over one WWW-Authenticate value.
class ChallengeParser {
 public:
  explicit ChallengeParser(std::string_view text) : text_(text) {}

  std::vector<AuthChallenge> parse() {
    std::vector<AuthChallenge> out;
    bool fresh = false;  // the last challenge has neither params nor token68 yet
    for (;;) {
      bool comma = skip_separators();
      if (pos_ >= text_.size()) break;
      std::string word = read_word();
      if (word.empty()) break;  // malformed: keep what was read
      skip_spaces();
      if (peek() == '=' && !out.empty()) {
        size_t equals = 0;
        while (peek() == '=') {
          ++pos_;
          ++equals;
        }
        skip_spaces();
        if (equals == 1 && pos_ < text_.size() && peek() != ',') {
          std::optional<std::string> value = peek() == '"' ? read_quoted() : read_word();
          if (!value) break;
          out.back().params[lower(word)] = std::move(*value);
          fresh = false;
          continue;
        }
        if (!fresh) break;
        out.back().token68 = word + std::string(equals, '=');
        fresh = false;
        continue;
      }
      if (fresh && !comma && !out.empty()) {
        out.back().token68 = word;
        fresh = false;
        continue;
      }
      out.push_back(AuthChallenge{lower(word), {}, {}});
      fresh = true;
    }
    return out;
  }

 private:
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }

  void skip_spaces() {
    while (peek() == ' ' || peek() == '\t') ++pos_;
  }

  // Skips spaces and commas; true when a comma was among them.
  bool skip_separators() {
    bool comma = false;
    while (peek() == ' ' || peek() == '\t' || peek() == ',') {
      comma = comma || peek() == ',';
      ++pos_;
    }
    return comma;
  }

  std::string read_word() {
    size_t start = pos_;
    while (pos_ < text_.size() && is_word_char(text_[pos_])) ++pos_;
    return std::string(text_.substr(start, pos_ - start));
  }

  std::optional<std::string> read_quoted() {
    ++pos_;  // the opening quote
    std::string out;
    while (pos_ < text_.size()) {
      char c = text_[pos_++];
      if (c == '"') return out;
      if (c == '\\') {
        if (pos_ >= text_.size()) return std::nullopt;
        c = text_[pos_++];
      }
      out += c;
    }
    return std::nullopt;  // unterminated
  }

  std::string_view text_;
  size_t pos_ = 0;
};

bool is_http_url(std::string_view url) {
  std::string prefix = lower(url.substr(0, 8));
  return prefix.starts_with("https://") || prefix.starts_with("http://");
}

std::string cache_key(const AuthChallenge& challenge, std::vector<std::string> scopes,
                      const std::optional<Credentials>& credentials) {
  std::sort(scopes.begin(), scopes.end());
  std::string key = challenge.param("realm") + '\n' + challenge.param("service") + '\n';
  for (const std::string& scope : scopes) key += scope + ' ';
  if (credentials) key += '\n' + credentials->username;
  return key;
}

}  // namespace

std::string AuthChallenge::param(std::string_view name) const {
  auto it = params.find(lower(name));
  return it == params.end() ? std::string() : it->second;
}

std::vector<AuthChallenge> parse_www_authenticate(std::string_view value) {
  return ChallengeParser(value).parse();
}

std::vector<AuthChallenge> parse_www_authenticate(const std::vector<std::string>& values) {
  std::vector<AuthChallenge> out;
  for (const std::string& value : values) {
    std::vector<AuthChallenge> more = parse_www_authenticate(value);
    out.insert(out.end(), more.begin(), more.end());
  }
  return out;
}

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t chunk = static_cast<uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
    if (i + 1 < bytes.size())
      chunk |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    if (i + 2 < bytes.size()) chunk |= static_cast<unsigned char>(bytes[i + 2]);
    out += kBase64Alphabet[(chunk >> 18) & 63];
    out += kBase64Alphabet[(chunk >> 12) & 63];
    out += i + 1 < bytes.size() ? kBase64Alphabet[(chunk >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kBase64Alphabet[chunk & 63] : '=';
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    uint32_t chunk = 0;
    int padding = 0;
    for (size_t j = 0; j < 4; ++j) {
      char c = text[i + j];
      if (c == '=') {
        // Padding only at the very end, and at most two characters of it.
        if (i + 4 != text.size() || j < 2) return std::nullopt;
        ++padding;
        chunk <<= 6;
        continue;
      }
      if (padding > 0) return std::nullopt;
      size_t index = kBase64Alphabet.find(c);
      if (index == std::string_view::npos) return std::nullopt;
      chunk = (chunk << 6) | static_cast<uint32_t>(index);
    }
    out += static_cast<char>((chunk >> 16) & 0xff);
    if (padding < 2) out += static_cast<char>((chunk >> 8) & 0xff);
    if (padding < 1) out += static_cast<char>(chunk & 0xff);
  }
  return out;
}

std::string basic_authorization(const Credentials& credentials) {
  return "Basic " + base64_encode(credentials.username + ":" + credentials.password);
}

std::string repository_scope(std::string_view repository, std::string_view actions) {
  return fmt::format("repository:{}:{}", repository, actions);
}

BearerToken parse_token_response(std::string_view body,
                                 std::chrono::steady_clock::time_point received) {
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) fail(ErrorKind::kAuth, "the token server's answer is not a JSON object");
  std::string token;
  for (const char* field : {"token", "access_token"}) {
    auto it = doc.find(field);
    if (it != doc.end() && it->is_string() && !it->get<std::string>().empty()) {
      token = it->get<std::string>();
      break;
    }
  }
  if (token.empty()) fail(ErrorKind::kAuth, "the token server's answer holds no token");
  int64_t lifetime = 60;
  if (auto it = doc.find("expires_in"); it != doc.end() && it->is_number()) {
    lifetime = std::max<int64_t>(60, it->get<int64_t>());
  }
  return BearerToken{std::move(token), received + std::chrono::seconds(lifetime)};
}

std::string TokenClient::token(const AuthChallenge& challenge,
                               const std::vector<std::string>& scopes,
                               const std::optional<Credentials>& credentials) {
  std::string key = cache_key(challenge, scopes, credentials);
  std::lock_guard lock(mutex_);
  auto it = cache_.find(key);
  if (it != cache_.end() &&
      std::chrono::steady_clock::now() + kRenewalMargin < it->second.expires) {
    return it->second.token;
  }
  BearerToken fresh = fetch(challenge, scopes, credentials);
  std::string token = fresh.token;
  cache_[key] = std::move(fresh);
  return token;
}

void TokenClient::invalidate(const AuthChallenge& challenge, const std::vector<std::string>& scopes,
                             const std::optional<Credentials>& credentials) {
  std::lock_guard lock(mutex_);
  cache_.erase(cache_key(challenge, scopes, credentials));
}

BearerToken TokenClient::fetch(const AuthChallenge& challenge,
                               const std::vector<std::string>& scopes,
                               const std::optional<Credentials>& credentials) {
  std::string realm = challenge.param("realm");
  if (!is_http_url(realm)) {
    fail(ErrorKind::kAuth, fmt::format("bearer challenge with an unusable realm \"{}\"", realm));
  }
  std::string service = challenge.param("service");
  auto received = std::chrono::steady_clock::now();
  http::HttpResponse response;
  bool oauth = credentials && !credentials->identity_token.empty();
  if (oauth) {
    // The OAuth2 flow: the refresh token goes to the token server only, never the registry.
    http::HttpRequest request{.method = "POST", .url = realm};
    request.headers.set("Content-Type", "application/x-www-form-urlencoded");
    std::string joined;
    for (const std::string& scope : scopes) joined += (joined.empty() ? "" : " ") + scope;
    request.body =
        "grant_type=refresh_token&refresh_token=" + http::url_escape(credentials->identity_token) +
        "&client_id=schicht" + "&service=" + http::url_escape(service) +
        "&scope=" + http::url_escape(joined);
    response = http_.send(request, kTokenResponseLimit);
    oauth = response.status != 404;  // no OAuth2 endpoint: fall back to GET
  }
  if (!oauth) {
    http::HttpRequest request{.method = "GET", .url = realm};
    if (!service.empty()) request.url = http::add_query(request.url, "service", service);
    for (const std::string& scope : scopes)
      request.url = http::add_query(request.url, "scope", scope);
    if (credentials && !credentials->username.empty()) {
      request.url = http::add_query(request.url, "account", credentials->username);
      request.headers.set("Authorization", basic_authorization(*credentials));
    }
    received = std::chrono::steady_clock::now();
    response = http_.send(request, kTokenResponseLimit);
  }
  if (response.status == 401 || response.status == 403) {
    fail(ErrorKind::kAuth,
         fmt::format("requesting a bearer token from {}: {}: {}", realm,
                     credentials ? "invalid username/password" : "authentication required",
                     http::status_text(response.status)));
  }
  if (response.status != 200) {
    fail(ErrorKind::kNetwork, fmt::format("requesting a bearer token from {}: unexpected {}", realm,
                                          http::status_text(response.status)));
  }
  return with_context(fmt::format("requesting a bearer token from {}", realm),
                      [&] { return parse_token_response(response.body, received); });
}

}  // namespace schicht::registry
