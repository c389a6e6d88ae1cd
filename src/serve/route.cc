// The distribution API's paths and names, and HTTP byte ranges, for the server.
#include "serve/route.h"

#include <fnmatch.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/digest.h"

namespace schicht::serve {
namespace {

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// One path component: [a-z0-9]+ ((\.|_|__|-+) [a-z0-9]+)*
bool valid_component(std::string_view c) {
  if (c.empty() || !is_lower_alnum(c.front()) || !is_lower_alnum(c.back())) return false;
  for (size_t i = 0; i < c.size();) {
    if (is_lower_alnum(c[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < c.size() && !is_lower_alnum(c[j])) ++j;
    std::string_view sep = c.substr(i, j - i);
    bool ok = sep == "." || sep == "_" || sep == "__" ||
              std::all_of(sep.begin(), sep.end(), [](char x) { return x == '-'; });
    if (!ok) return false;
    i = j;
  }
  return true;
}

// A registry host: DNS labels of letters, digits and '-', separated by '.', then ":port".
bool valid_host(std::string_view h) {
  size_t colon = h.rfind(':');
  if (colon != std::string_view::npos) {
    std::string_view port = h.substr(colon + 1);
    if (port.empty() || port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return false;
    h = h.substr(0, colon);
  }
  if (h.empty()) return false;
  size_t start = 0;
  while (start <= h.size()) {
    size_t dot = h.find('.', start);
    std::string_view label = h.substr(start, dot == std::string_view::npos ? h.npos : dot - start);
    if (label.empty() || label.front() == '-' || label.back() == '-') return false;
    for (char c : label)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return true;
}

bool valid_digest(std::string_view text) {
  return Digest::try_parse(text).has_value();
}

bool parse_u64(std::string_view text, uint64_t& out) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

bool valid_repository(std::string_view name) {
  if (name.empty() || name.size() > 255) return false;
  size_t start = 0;
  bool first = true;
  while (true) {
    size_t slash = name.find('/', start);
    std::string_view c =
        name.substr(start, slash == std::string_view::npos ? name.npos : slash - start);
    // Only a first component followed by more may be a host.
    bool ok = valid_component(c) || (first && slash != std::string_view::npos && valid_host(c));
    if (!ok) return false;
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
    first = false;
  }
}

bool valid_tag(std::string_view tag) {
  if (tag.empty() || tag.size() > 128) return false;
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  if (!word(tag.front())) return false;
  return std::all_of(tag.begin(), tag.end(),
                     [&](char c) { return word(c) || c == '.' || c == '-'; });
}

RouteResult parse_route(std::string_view path) {
  RouteResult result;
  if (path == "/v2" || path == "/v2/") {
    result.route = Route{.endpoint = Endpoint::kBase};
    return result;
  }
  if (!path.starts_with("/v2/")) return result;
  std::string_view rest = path.substr(4);
  if (rest == "_catalog") {
    result.route = Route{.endpoint = Endpoint::kCatalog};
    return result;
  }
  // The name is everything before the last of these markers (a name may contain "manifests").
  struct Marker {
    std::string_view text;
    Endpoint endpoint;
  };
  static constexpr Marker kMarkers[] = {{"/manifests/", Endpoint::kManifest},
                                        {"/blobs/uploads", Endpoint::kUpload},
                                        {"/blobs/", Endpoint::kBlob},
                                        {"/referrers/", Endpoint::kReferrers},
                                        {"/tags/list", Endpoint::kTags}};
  size_t best = std::string_view::npos;
  const Marker* marker = nullptr;
  for (const Marker& m : kMarkers) {
    size_t at = rest.rfind(m.text);
    if (at == std::string_view::npos) continue;
    if (m.endpoint == Endpoint::kTags && at + m.text.size() != rest.size()) continue;
    if (m.endpoint == Endpoint::kUpload) {
      size_t after = at + m.text.size();
      if (after != rest.size() && rest[after] != '/') continue;
    }
    if (best == std::string_view::npos || at > best ||
        (at == best && m.endpoint == Endpoint::kUpload)) {
      best = at;
      marker = &m;
    }
  }
  if (marker == nullptr) return result;
  std::string_view name = rest.substr(0, best);
  std::string_view reference = rest.substr(best + marker->text.size());
  if (!valid_repository(name)) {
    result.error = RouteError::kNameInvalid;
    return result;
  }
  Route route{.endpoint = marker->endpoint, .name = std::string(name)};
  switch (marker->endpoint) {
    case Endpoint::kManifest:
      if (!valid_tag(reference) && !valid_digest(reference)) {
        result.error = reference.find(':') != std::string_view::npos ? RouteError::kDigestInvalid
                                                                     : RouteError::kTagInvalid;
        return result;
      }
      break;
    case Endpoint::kBlob:
    case Endpoint::kReferrers:
      if (!valid_digest(reference)) {
        result.error = RouteError::kDigestInvalid;
        return result;
      }
      break;
    default:
      reference = {};
      break;
  }
  route.reference = std::string(reference);
  result.route = std::move(route);
  return result;
}

std::optional<StoredName> split_stored_name(std::string_view name) {
  StoredName out;
  size_t at = name.find('@');
  if (at != std::string_view::npos) {
    out.repository = name.substr(0, at);
    out.reference = name.substr(at + 1);
    out.by_digest = true;
  } else {
    size_t slash = name.rfind('/');
    size_t colon = name.rfind(':');
    if (colon == std::string_view::npos || (slash != std::string_view::npos && colon < slash))
      return std::nullopt;
    out.repository = name.substr(0, colon);
    out.reference = name.substr(colon + 1);
  }
  if (out.repository.empty() || out.reference.empty()) return std::nullopt;
  return out;
}

std::vector<std::string> candidate_repositories(std::string_view name,
                                                const std::vector<std::string>& mirror_of) {
  std::vector<std::string> out{std::string(name)};
  for (const std::string& registry : mirror_of) {
    std::string candidate = registry + "/";
    if (registry == "docker.io" && name.find('/') == std::string_view::npos)
      candidate += "library/";
    candidate += name;
    if (std::find(out.begin(), out.end(), candidate) == out.end()) out.push_back(candidate);
  }
  return out;
}

bool allowed(std::string_view repository, const std::vector<std::string>& patterns) {
  if (patterns.empty()) return true;
  std::string repo(repository);
  return std::any_of(patterns.begin(), patterns.end(), [&](const std::string& p) {
    return fnmatch(p.c_str(), repo.c_str(), 0) == 0;
  });
}

RangeRequest parse_range(std::string_view header, uint64_t size) {
  RangeRequest whole;
  if (!header.starts_with("bytes=")) return whole;
  std::string_view spec = header.substr(6);
  if (spec.find(',') != std::string_view::npos) return whole;
  size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return whole;
  std::string_view a = spec.substr(0, dash), b = spec.substr(dash + 1);
  uint64_t first = 0, last = 0;
  RangeRequest out{.kind = RangeKind::kPartial};
  if (a.empty()) {  // the last b bytes
    if (!parse_u64(b, last)) return whole;
    if (last == 0 || size == 0) return {.kind = RangeKind::kUnsatisfiable};
    uint64_t n = std::min(last, size);
    out.range = {size - n, n};
    return out;
  }
  if (!parse_u64(a, first)) return whole;
  if (b.empty()) {
    last = size == 0 ? 0 : size - 1;
  } else if (!parse_u64(b, last) || last < first) {
    return whole;  // syntactically invalid: ignored, as RFC 9110 says
  }
  if (first >= size) return {.kind = RangeKind::kUnsatisfiable};
  last = std::min(last, size - 1);
  out.range = {first, last - first + 1};
  return out;
}

std::optional<ListenAddress> parse_listen(std::string_view text) {
  ListenAddress out{.host = "127.0.0.1"};
  std::string_view port = text;
  if (text.starts_with('[')) {
    size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return std::nullopt;
    out.host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else if (size_t colon = text.rfind(':'); colon != std::string_view::npos) {
    if (text.substr(0, colon).find(':') != std::string_view::npos) return std::nullopt;
    if (colon > 0) out.host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  uint64_t value = 0;
  if (out.host.empty() || !parse_u64(port, value) || value > 65535) return std::nullopt;
  out.port = static_cast<int>(value);
  return out;
}

Page paginate(const std::vector<std::string>& sorted, std::optional<size_t> n,
              std::string_view last) {
  Page page;
  auto it = last.empty() ? sorted.begin()
                         : std::upper_bound(sorted.begin(), sorted.end(), std::string(last));
  for (; it != sorted.end(); ++it) {
    if (n && page.entries.size() == *n) {
      page.more = true;
      break;
    }
    page.entries.push_back(*it);
  }
  return page;
}

}  // namespace schicht::serve
