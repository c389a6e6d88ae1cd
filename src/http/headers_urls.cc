// The parts of http.h that need no transfer: header fields, URL helpers, status texts.
#include "http/client.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>
#include <memory>

#include <fmt/format.h>

#include "core/error.h"
#include "http/curl_api.h"

namespace schicht::http {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

struct UrlDeleter {
  void operator()(CURLU* url) const { curl_api().url_cleanup(url); }
};
using UrlHandle = std::unique_ptr<CURLU, UrlDeleter>;

struct CurlStringDeleter {
  void operator()(char* text) const { curl_api().free(text); }
};
using CurlString = std::unique_ptr<char, CurlStringDeleter>;

UrlHandle parse_url(std::string_view text) {
  UrlHandle url(curl_api().url());
  if (!url) fail(ErrorKind::kInternal, "curl_url: out of memory");
  std::string copy(text);
  if (curl_api().url_set(url.get(), CURLUPART_URL, copy.c_str(), 0) != CURLUE_OK) {
    fail(ErrorKind::kInvalidInput, fmt::format("invalid URL \"{}\"", text));
  }
  return url;
}

std::string url_part(CURLU* url, CURLUPart part, unsigned flags = 0) {
  char* raw = nullptr;
  if (curl_api().url_get(url, part, &raw, flags) != CURLUE_OK) return "";
  CurlString owned(raw);
  return std::string(raw);
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

void HttpHeaders::add(std::string_view name, std::string_view value) {
  fields_.emplace_back(std::string(name), std::string(value));
}

void HttpHeaders::set(std::string_view name, std::string_view value) {
  remove(name);
  add(name, value);
}

void HttpHeaders::remove(std::string_view name) {
  std::erase_if(fields_, [&](const auto& field) { return iequals(field.first, name); });
}

std::optional<std::string> HttpHeaders::get(std::string_view name) const {
  for (const auto& [key, value] : fields_) {
    if (iequals(key, name)) return value;
  }
  return std::nullopt;
}

std::vector<std::string> HttpHeaders::get_all(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [key, value] : fields_) {
    if (iequals(key, name)) out.push_back(value);
  }
  return out;
}

std::string resolve_url(std::string_view base, std::string_view reference) {
  UrlHandle url = parse_url(base);
  std::string copy(reference);
  // Setting a relative URL on a handle that holds an absolute one resolves it (RFC 3986).
  if (curl_api().url_set(url.get(), CURLUPART_URL, copy.c_str(), 0) != CURLUE_OK) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("invalid URL \"{}\" (relative to \"{}\")", reference, base));
  }
  return url_part(url.get(), CURLUPART_URL);
}

std::string url_origin(std::string_view text) {
  UrlHandle url = parse_url(text);
  std::string scheme = lower(url_part(url.get(), CURLUPART_SCHEME));
  std::string host = lower(url_part(url.get(), CURLUPART_HOST));
  std::string port = url_part(url.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  return fmt::format("{}://{}:{}", scheme, host, port);
}

std::string url_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += fmt::format("%{:02X}", u);
    }
  }
  return out;
}

std::string add_query(std::string_view url, std::string_view key, std::string_view value) {
  size_t fragment = url.find('#');
  std::string_view head = url.substr(0, fragment);
  std::string out(head);
  if (head.find('?') == std::string_view::npos) {
    out += '?';
  } else if (out.back() != '?' && out.back() != '&') {
    out += '&';
  }
  out += url_escape(key);
  out += '=';
  out += url_escape(value);
  if (fragment != std::string_view::npos) out += url.substr(fragment);
  return out;
}

std::string status_text(long status) {
  static constexpr std::pair<long, std::string_view> kReasons[] = {
      {200, "OK"},
      {201, "Created"},
      {202, "Accepted"},
      {204, "No Content"},
      {206, "Partial Content"},
      {301, "Moved Permanently"},
      {302, "Found"},
      {303, "See Other"},
      {307, "Temporary Redirect"},
      {308, "Permanent Redirect"},
      {400, "Bad Request"},
      {401, "Unauthorized"},
      {403, "Forbidden"},
      {404, "Not Found"},
      {405, "Method Not Allowed"},
      {409, "Conflict"},
      {413, "Request Entity Too Large"},
      {414, "Request URI Too Long"},
      {416, "Requested Range Not Satisfiable"},
      {429, "Too Many Requests"},
      {500, "Internal Server Error"},
      {501, "Not Implemented"},
      {502, "Bad Gateway"},
      {503, "Service Unavailable"},
      {504, "Gateway Timeout"},
  };
  for (const auto& [code, reason] : kReasons) {
    if (code == status) return fmt::format("{} {}", status, reason);
  }
  return std::to_string(status);
}

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value) {
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front()))) {
    value.remove_prefix(1);
  }
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) {
    value.remove_suffix(1);
  }
  if (value.empty()) return std::nullopt;
  if (std::isdigit(static_cast<unsigned char>(value.front()))) {
    int64_t seconds = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ec != std::errc() || end != value.data() + value.size()) return std::nullopt;
    return std::chrono::seconds(seconds);
  }
  std::string copy(value);
  time_t when = curl_api().getdate(copy.c_str(), nullptr);
  if (when < 0) return std::nullopt;
  time_t now = std::time(nullptr);
  return std::chrono::seconds(when > now ? when - now : 0);
}

}  // namespace schicht::http
