// What a request to `schicht serve` asks for, decided from its method, path and headers alone
// (no store, no sockets), so every rule is unit-tested: the distribution API's paths, names,
// references and byte ranges, the repositories a name may stand for (--mirror-of) and the
// --allow patterns.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace schicht::serve {

enum class Endpoint {
  kBase,       // /v2/
  kCatalog,    // /v2/_catalog
  kTags,       // /v2/<name>/tags/list
  kManifest,   // /v2/<name>/manifests/<reference>
  kBlob,       // /v2/<name>/blobs/<digest>
  kUpload,     // /v2/<name>/blobs/uploads/...: only ever refused (read-only)
  kReferrers,  // /v2/<name>/referrers/<digest>
};

struct Route {
  Endpoint endpoint = Endpoint::kBase;
  std::string name;       // the repository as the client named it
  std::string reference;  // a tag or a digest (manifests), a digest (blobs, referrers)
};

// Why a path is not a route: not under /v2 (kNotFound), or a malformed name or reference,
// which includes every "." and ".." segment and empty segment (kNameInvalid, kDigestInvalid,
// kTagInvalid).
enum class RouteError { kNotFound, kNameInvalid, kTagInvalid, kDigestInvalid };

struct RouteResult {
  std::optional<Route> route;
  RouteError error = RouteError::kNotFound;
};

// `path` as decoded by the HTTP server (no query).
RouteResult parse_route(std::string_view path);

// A repository name as the distribution spec allows it, with an optional first component that
// is a registry host (letters of any case, digits, '.', '-', an optional ":port"), as the
// store's names begin with one.
bool valid_repository(std::string_view name);
bool valid_tag(std::string_view tag);

// A stored name split into its repository and its tag or digest: "quay.io/a/b:1" ->
// {"quay.io/a/b", "1", false}; "h:5000/a@sha256:…" -> {"h:5000/a", "sha256:…", true}.
struct StoredName {
  std::string repository;
  std::string reference;
  bool by_digest = false;
};
std::optional<StoredName> split_stored_name(std::string_view name);

// The stored repositories a client's name may denote, in the order they are tried: the name
// itself, then for each `--mirror-of` registry R, "R/name" (for docker.io, a one-component name
// gets "library/" as Docker Hub's names do).
std::vector<std::string> candidate_repositories(std::string_view name,
                                                const std::vector<std::string>& mirror_of);

// Whether the stored repository is served: `patterns` are shell patterns (fnmatch, '*' also
// matching '/'); none means every repository.
bool allowed(std::string_view repository, const std::vector<std::string>& patterns);

// One `Range: bytes=…` header against a blob of `size` bytes.
struct ByteRange {
  uint64_t first = 0;
  uint64_t length = 0;
};
enum class RangeKind {
  kWhole,          // no Range header, or one this server ignores (several ranges, other units)
  kPartial,        // 206 with `range`
  kUnsatisfiable,  // 416
};
struct RangeRequest {
  RangeKind kind = RangeKind::kWhole;
  ByteRange range;
};
RangeRequest parse_range(std::string_view header, uint64_t size);

// "ADDR:PORT" or "[V6]:PORT" (a bare port means 127.0.0.1); nullopt when malformed.
struct ListenAddress {
  std::string host;
  int port = 0;
};
std::optional<ListenAddress> parse_listen(std::string_view text);

// Catalog and tag list pagination (`n`, `last`): the entries after `last` (sorted input), at
// most `n` of them (nullopt: all); `more` when some were left.
struct Page {
  std::vector<std::string> entries;
  bool more = false;
};
Page paginate(const std::vector<std::string>& sorted, std::optional<size_t> n,
              std::string_view last);

}  // namespace schicht::serve
