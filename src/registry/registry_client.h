// RegistryClient: the distribution (OCI) HTTP API of one registry host.
//
// The client pings /v2/ once, over https; plain http is tried only for an insecure registry
// (registries.conf insecure=true, or --tls-verify=false, which also turns TLS verification
// off). 401 challenges are answered transparently: Basic with the credentials for the
// repository, Bearer with a token for the operation's scope (cached, refreshed on a 401).
// Credentials come from the options or else from auth.json (auth_file.h).
//
// Everything read from the network is bounded: manifests and tag lists by size limits, blobs
// by their expected size. Manifests are verified against the digest asked for and against
// Docker-Content-Digest; blob bodies are not hashed here (the caller's ingest does that), but
// their size is checked exactly and a mismatching Docker-Content-Digest is refused.
//
// Errors: kNotFound for 404 and *_UNKNOWN codes, kAuth for 401/403 after authenticating,
// kIntegrity for digest or size mismatches, kInvalidInput for refused manifests or names,
// kNetwork for the rest. Messages read like podman's: "reading manifest 1.0 in
// localhost:5000/app: manifest unknown: manifest unknown".
//
// Ownership: a RegistryClient owns its HttpClient and token cache; a BlobUpload refers to the
// client that opened it and must not outlive it. Readers and writers passed in are borrowed.
// Thread-safety: a RegistryClient may be shared by threads; a BlobUpload belongs to one.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/digest.h"
#include "core/io.h"
#include "http/client.h"
#include "registry/auth.h"

namespace schicht::registry {

struct RegistryOptions {
  // registries.conf `insecure`: http fallback allowed, TLS not verified.
  bool insecure = false;
  // --tls-verify; false is treated as insecure.
  std::optional<bool> tls_verify;
  // --cert-dir; empty: the host's certs.d directory (default_cert_dir).
  fs::path cert_dir;
  // --creds; nullopt: auth.json.
  std::optional<Credentials> credentials;
  // --authfile; empty: podman's lookup order.
  fs::path auth_file;
  // Timeouts and retries; its tls_verify and cert_dir are set from the fields above.
  http::HttpOptions http;
};

// podman's certs.d directory for a host ("host[:port]"): the first existing of
// ~/.config/containers/certs.d, /etc/containers/certs.d and /etc/docker/certs.d; empty if none.
fs::path default_cert_dir(std::string_view host);

// The manifest media types RegistryClient asks for, in the Accept header.
const std::vector<std::string>& accepted_manifest_types();

// The target of the rel="next" link in Link header values, or empty.
std::string next_link(const std::vector<std::string>& link_values);

inline constexpr size_t kManifestSizeLimit = size_t{4} << 20;

struct Manifest {
  std::string bytes;
  std::string media_type;  // Content-Type without parameters
  Digest digest;           // of `bytes`: verified against the reference and the header
};

struct ManifestHead {
  std::string media_type;
  std::optional<Digest> digest;  // Docker-Content-Digest, when sent
  std::optional<uint64_t> size;
};

struct BlobHead {
  uint64_t size = 0;
  std::optional<Digest> digest;
};

class RegistryClient;

// An upload session opened by RegistryClient::start_upload. Chunks go in order with PATCH;
// finish() commits the blob under its digest. Destroying an unfinished upload cancels it.
class BlobUpload {
 public:
  BlobUpload(BlobUpload&& other) noexcept;
  BlobUpload& operator=(BlobUpload&&) = delete;
  BlobUpload(const BlobUpload&) = delete;
  ~BlobUpload();

  const std::string& location() const { return location_; }
  uint64_t offset() const { return offset_; }
  // OCI-Chunk-Min-Length: the smallest non-final chunk the registry accepts (0: any).
  uint64_t min_chunk_size() const { return min_chunk_size_; }

  // PATCH with Content-Range: `size` bytes from `data` at offset().
  void write_chunk(Reader& data, uint64_t size);
  void write_chunk(std::string_view data);
  // PUT ?digest=: the blob is complete; kIntegrity when the registry names another digest.
  void finish(const Digest& digest);
  // DELETE; errors are ignored (registries expire stale sessions anyway).
  void cancel();

 private:
  friend class RegistryClient;
  BlobUpload(RegistryClient& client, std::string repository, std::string location,
             uint64_t min_chunk_size);

  RegistryClient* client_;
  std::string repository_;
  std::string location_;
  uint64_t offset_ = 0;
  uint64_t min_chunk_size_ = 0;
  bool open_ = true;
};

class RegistryClient {
 public:
  // `host` is a reference's domain ("docker.io", "localhost:5000"); docker.io is reached at
  // registry-1.docker.io. Nothing is sent until the first call.
  explicit RegistryClient(std::string host, RegistryOptions options = {});
  ~RegistryClient();
  RegistryClient(const RegistryClient&) = delete;
  RegistryClient& operator=(const RegistryClient&) = delete;

  const std::string& host() const { return host_; }

  // Checks that the host speaks the v2 API and records its challenges; later calls do it
  // implicitly. Returns the base URL in use ("https://host" or "http://host").
  std::string ping();

  // GET .../manifests/<tag or digest>, at most kManifestSizeLimit bytes.
  Manifest get_manifest(std::string_view repository, std::string_view tag_or_digest);
  // HEAD; nullopt when the registry does not know it.
  std::optional<ManifestHead> head_manifest(std::string_view repository,
                                            std::string_view tag_or_digest);
  // PUT with Content-Type `media_type`; returns the digest of `bytes`.
  Digest put_manifest(std::string_view repository, std::string_view tag_or_digest,
                      std::string_view bytes, std::string_view media_type);

  // HEAD .../blobs/<digest>; nullopt when absent.
  std::optional<BlobHead> head_blob(std::string_view repository, const Digest& digest);
  // Streams the blob's bytes from `offset` (what the caller already has) to its expected
  // `size` into `sink`, resuming broken downloads with ranged requests.
  void get_blob(std::string_view repository, const Digest& digest, uint64_t size, Writer& sink,
                uint64_t offset = 0);

  // Cross-repository mount from `from_repository`; false when the registry declined (the
  // session it may have opened instead is cancelled).
  bool mount_blob(std::string_view repository, const Digest& digest,
                  std::string_view from_repository);
  // POST then a monolithic PUT of exactly `size` bytes of `data`.
  void push_blob(std::string_view repository, const Digest& digest, uint64_t size, Reader& data);
  // POST: an upload session for chunked uploads.
  BlobUpload start_upload(std::string_view repository);

  // The referrers of `digest`: GET .../referrers/<digest> (get_referrers), or, where the
  // registry lacks that API, the OCI index tagged "<alg>-<hex>" (the referrers tag scheme); an
  // empty index when neither exists. (registry_referrers.cc)
  struct ReferrersIndex {
    std::string bytes;      // an OCI image index
    bool from_api = false;  // the registry answered the referrers API
  };
  ReferrersIndex referrers(std::string_view repository, const Digest& digest);
  // GET .../referrers/<digest> (distribution spec 1.1) alone: the image index of the manifests
  // whose subject is `digest`, at most kManifestSizeLimit bytes (the first page: a Link to more
  // is not followed). nullopt when the registry does not offer the API (404, or the 400, 405,
  // 406 or 501 some registries answer for an unknown route).
  std::optional<std::string> get_referrers(std::string_view repository, const Digest& digest);

  // Every tag, following Link pagination; `page_size` > 0 asks for pages of that many.
  std::vector<std::string> list_tags(std::string_view repository, size_t page_size = 0);
  // Every repository of GET /v2/_catalog, following Link pagination (token scope
  // registry:catalog:*).
  std::vector<std::string> list_catalog(size_t page_size = 0);

 private:
  friend class BlobUpload;
  enum class Access { kPull, kPush };
  struct AuthState;

  // Sends `request` with the authorization `repository` and `access` need, answering one 401
  // challenge by authenticating again. `send` performs the exchange (in memory or streamed).
  template <typename Send>
  http::HttpResponse send_authorized(http::HttpRequest request, std::string_view repository,
                                     Access access, const std::vector<std::string>& extra_scopes,
                                     Send&& send);
  http::HttpResponse send(http::HttpRequest request, std::string_view repository, Access access,
                          size_t body_limit = http::kDefaultHttpBodyLimit,
                          const std::vector<std::string>& extra_scopes = {});
  std::string url(std::string_view path);
  // GETs `path` and the pages its Link headers chain, collecting the strings of `member`.
  std::vector<std::string> list_pages(const std::string& path, const std::string& member,
                                      std::string_view repository,
                                      const std::vector<std::string>& scopes,
                                      const std::string& what, size_t page_size);
  std::optional<Credentials> credentials_for(std::string_view repository);

  std::string host_;
  std::string api_host_;
  RegistryOptions options_;
  std::unique_ptr<http::HttpClient> http_;
  std::unique_ptr<AuthState> auth_;
};

}  // namespace schicht::registry
