#include "core/reference.h"

#include <fmt/format.h>

#include "core/error.h"

namespace schicht {
namespace {

constexpr size_t kMaxNameLength = 255;
constexpr size_t kMaxTagLength = 128;
constexpr size_t kMinDigestHex = 32;
constexpr std::string_view kDockerHub = "docker.io";
constexpr std::string_view kLegacyDockerHub = "index.docker.io";
constexpr std::string_view kOfficialPrefix = "library/";
constexpr std::string_view kLocalhost = "localhost";
constexpr std::string_view kDefaultTag = "latest";

// The messages are distribution's and go-digest's, word for word: scripts compare them.
constexpr std::string_view kInvalidFormat = "invalid reference format";
constexpr std::string_view kUppercase = "repository name must be lowercase";
constexpr std::string_view kEmpty = "repository name must have at least one component";
constexpr std::string_view kTooLong = "repository name must not be more than 255 characters";

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_lower(char c) {
  return c >= 'a' && c <= 'z';
}
bool is_upper(char c) {
  return c >= 'A' && c <= 'Z';
}
bool is_alpha(char c) {
  return is_lower(c) || is_upper(c);
}
bool is_alnum(char c) {
  return is_alpha(c) || is_digit(c);
}
bool is_lower_alnum(char c) {
  return is_lower(c) || is_digit(c);
}
bool is_word(char c) {
  return is_alnum(c) || c == '_';
}
bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool has_upper(std::string_view s) {
  for (char c : s) {
    if (is_upper(c)) return true;
  }
  return false;
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (is_upper(c)) c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// path-component: runs of [a-z0-9] joined by exactly one of ".", "_", "__" or any run of "-".
bool is_path_component(std::string_view s) {
  size_t i = 0;
  while (true) {
    size_t run = i;
    while (i < s.size() && is_lower_alnum(s[i])) ++i;
    if (i == run) return false;  // every separator sits between two alphanumeric runs
    if (i == s.size()) return true;
    if (s[i] == '.') {
      ++i;
    } else if (s[i] == '_') {
      ++i;
      if (i < s.size() && s[i] == '_') ++i;
    } else if (s[i] == '-') {
      while (i < s.size() && s[i] == '-') ++i;
    } else {
      return false;
    }
  }
}

// remote-name: path-components separated by single slashes.
bool is_remote_name(std::string_view s) {
  while (true) {
    size_t slash = s.find('/');
    if (!is_path_component(s.substr(0, slash))) return false;
    if (slash == std::string_view::npos) return true;
    s.remove_prefix(slash + 1);
  }
}

// domain-component: [A-Za-z0-9] with inner hyphens, never leading or trailing.
bool is_domain_component(std::string_view s) {
  if (s.empty() || s.front() == '-' || s.back() == '-') return false;
  for (char c : s) {
    if (!is_alnum(c) && c != '-') return false;
  }
  return true;
}

// domain: domain-component ('.' domain-component)* [':' port]. No bracketed IPv6: the grammar
// podman 4.3 ships predates it.
bool is_domain(std::string_view s) {
  size_t colon = s.find(':');
  if (colon != std::string_view::npos) {
    std::string_view port = s.substr(colon + 1);
    if (port.empty()) return false;
    for (char c : port) {
      if (!is_digit(c)) return false;
    }
    s = s.substr(0, colon);
  }
  while (true) {
    size_t dot = s.find('.');
    if (!is_domain_component(s.substr(0, dot))) return false;
    if (dot == std::string_view::npos) return true;
    s.remove_prefix(dot + 1);
  }
}

// The reference grammar's digest: [A-Za-z][A-Za-z0-9]*([-_+.][A-Za-z][A-Za-z0-9]*)* ':' and at
// least 32 hex digits of either case. Whether the algorithm is known is checked afterwards.
bool is_digest_syntax(std::string_view s) {
  size_t colon = s.find(':');
  if (colon == std::string_view::npos) return false;
  std::string_view algorithm = s.substr(0, colon);
  std::string_view hex = s.substr(colon + 1);
  bool component_start = true;
  for (char c : algorithm) {
    if (component_start) {
      if (!is_alpha(c)) return false;
      component_start = false;
    } else if (c == '-' || c == '_' || c == '+' || c == '.') {
      component_start = true;
    } else if (!is_alnum(c)) {
      return false;
    }
  }
  if (component_start) return false;  // empty algorithm or a trailing separator
  if (hex.size() < kMinDigestHex) return false;
  for (char c : hex) {
    if (!is_hex(c)) return false;
  }
  return true;
}

// go-digest's verdict on a digest the grammar accepted; empty when schicht can hold it.
// sha384 is valid for go-digest but Digest has no room for it, so it counts as unsupported.
std::string_view digest_problem(std::string_view text) {
  size_t colon = text.find(':');
  std::string_view algorithm = text.substr(0, colon);
  std::string_view hex = text.substr(colon + 1);
  size_t want = algorithm == "sha256" ? 64 : algorithm == "sha512" ? 128 : 0;
  if (want == 0) {
    // go-digest only calls lowercase algorithm names well formed.
    return has_upper(algorithm) ? "invalid checksum digest format" : "unsupported digest algorithm";
  }
  if (hex.size() != want) return "invalid checksum digest length";
  if (has_upper(hex)) return "invalid checksum digest format";
  return {};
}

struct Pieces {
  std::string_view domain;
  std::string_view path;
  std::string_view tag;
  std::string_view digest;
  size_t name_length = 0;
};

// Matches the whole reference grammar, name [":" tag] ["@" digest], splitting it the way the
// anchored regular expressions capture it. The split is forced: the first '@' starts the digest
// (no other part has one), a ':' after the last '/' starts the tag (a port is always followed by
// a '/'), and a domain, when present, is everything before the first '/'.
std::optional<Pieces> match_reference(std::string_view s) {
  Pieces out;
  size_t at = s.find('@');
  if (at != std::string_view::npos) {
    out.digest = s.substr(at + 1);
    if (!is_digest_syntax(out.digest)) return std::nullopt;
    s = s.substr(0, at);
  }
  size_t colon = s.rfind(':');
  size_t last_slash = s.rfind('/');
  if (colon != std::string_view::npos &&
      (last_slash == std::string_view::npos || colon > last_slash)) {
    out.tag = s.substr(colon + 1);
    if (!is_valid_tag(out.tag)) return std::nullopt;
    s = s.substr(0, colon);
  }
  out.name_length = s.size();
  // The optional domain group is greedy: take the first component as the domain whenever the
  // rest still parses as a remote name.
  size_t slash = s.find('/');
  if (slash != std::string_view::npos && is_domain(s.substr(0, slash)) &&
      is_remote_name(s.substr(slash + 1))) {
    out.domain = s.substr(0, slash);
    out.path = s.substr(slash + 1);
    return out;
  }
  if (!is_remote_name(s)) return std::nullopt;
  out.path = s;
  return out;
}

// What the parsers hand back instead of throwing, so try_parse costs no exception.
struct Parsed {
  Reference ref;
  std::string error;  // empty on success
  bool ok() const { return error.empty(); }
};

Parsed failure(std::string_view message) {
  return Parsed{{}, std::string(message)};
}

// distribution's Parse.
Parsed parse_plain(std::string_view text) {
  if (text.empty()) return failure(kEmpty);
  std::optional<Pieces> pieces = match_reference(text);
  if (!pieces) {
    std::string lower = ascii_lower(text);
    if (lower != text && match_reference(lower)) return failure(kUppercase);
    return failure(kInvalidFormat);
  }
  if (pieces->name_length > kMaxNameLength) return failure(kTooLong);
  Parsed out;
  out.ref.domain = pieces->domain;
  out.ref.path = pieces->path;
  out.ref.tag = pieces->tag;
  if (!pieces->digest.empty()) {
    std::string_view problem = digest_problem(pieces->digest);
    if (!problem.empty()) return failure(problem);
    out.ref.digest = Digest::parse(pieces->digest);
  }
  return out;
}

// Docker's domain split on the raw text (tag and digest still attached). Only a first
// component with '.' or ':' or exactly "localhost" is a domain; everything else lives on
// Docker Hub, and a single-component Hub name joins the official "library/" namespace.
std::pair<std::string, std::string> split_docker_domain(std::string_view text) {
  std::string domain;
  std::string remainder;
  size_t slash = text.find('/');
  std::string_view first = text.substr(0, slash);
  if (slash == std::string_view::npos ||
      (first.find_first_of(".:") == std::string_view::npos && first != kLocalhost)) {
    domain = kDockerHub;
    remainder = text;
  } else {
    domain = first;
    remainder = text.substr(slash + 1);
  }
  if (domain == kLegacyDockerHub) domain = kDockerHub;
  if (domain == kDockerHub && remainder.find('/') == std::string::npos) {
    remainder.insert(0, kOfficialPrefix);
  }
  return {std::move(domain), std::move(remainder)};
}

// ParseNormalizedNamed.
Parsed parse_normalized(std::string_view text) {
  if (Digest::is_sha256_hex(text)) {
    return failure(fmt::format(
        "invalid repository name ({}), cannot specify 64-byte hexadecimal strings", text));
  }
  auto [domain, remainder] = split_docker_domain(text);
  std::string_view remote = std::string_view(remainder).substr(0, remainder.find(':'));
  if (has_upper(remote)) return failure(fmt::format("{}: {}", kInvalidFormat, kUppercase));
  return parse_plain(domain + "/" + remainder);
}

bool is_registry_domain(std::string_view domain) {
  return domain.find_first_of(".:") != std::string_view::npos || domain == kLocalhost;
}

Reference value_or_fail(Parsed parsed) {
  if (!parsed.ok()) fail(ErrorKind::kInvalidInput, parsed.error);
  return std::move(parsed.ref);
}

}  // namespace

bool is_valid_tag(std::string_view tag) {
  if (tag.empty() || tag.size() > kMaxTagLength || !is_word(tag.front())) return false;
  for (char c : tag) {
    if (!is_word(c) && c != '.' && c != '-') return false;
  }
  return true;
}

Reference Reference::parse(std::string_view text) {
  return value_or_fail(parse_normalized(text));
}

std::optional<Reference> Reference::try_parse(std::string_view text) {
  Parsed parsed = parse_normalized(text);
  if (!parsed.ok()) return std::nullopt;
  return std::move(parsed.ref);
}

Reference Reference::parse_docker_ref(std::string_view text) {
  Reference ref = parse(text);
  if (ref.digest) {
    ref.tag.clear();
    return ref;
  }
  return ref.with_default_tag();
}

Reference Reference::parse_local(std::string_view text) {
  Parsed raw = parse_plain(text);
  if (!raw.ok()) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("normalizing name {:?}: {}", std::string(text), raw.error));
  }
  std::string name(text);
  if (!is_registry_domain(raw.ref.domain)) name = std::string(kLocalhost) + "/" + raw.ref.str();
  Reference ref = parse(name);
  if (ref.digest) {
    ref.tag.clear();
    return ref;
  }
  return ref.with_default_tag();
}

Reference Reference::parse_unnormalized(std::string_view text) {
  return value_or_fail(parse_plain(text));
}

bool has_explicit_domain(std::string_view text) {
  Parsed raw = parse_plain(text);
  return raw.ok() && is_registry_domain(raw.ref.domain);
}

std::string Reference::name() const {
  return domain.empty() ? path : domain + "/" + path;
}

std::string Reference::str() const {
  std::string out = name();
  if (!tag.empty()) out += ":" + tag;
  if (digest) out += "@" + digest->str();
  return out;
}

std::string Reference::familiar() const {
  std::string out;
  if (domain == kDockerHub) {
    std::string_view short_path = path;
    // Only a one-level official name is shortened: "library/a/b" keeps its prefix.
    if (short_path.starts_with(kOfficialPrefix) &&
        short_path.find('/', kOfficialPrefix.size()) == std::string_view::npos) {
      short_path.remove_prefix(kOfficialPrefix.size());
    }
    out = short_path;
  } else {
    out = name();
  }
  if (!tag.empty()) out += ":" + tag;
  if (digest) out += "@" + digest->str();
  return out;
}

Reference Reference::with_default_tag() const {
  Reference out = *this;
  if (out.tag.empty() && !out.digest) out.tag = kDefaultTag;
  return out;
}

}  // namespace schicht
