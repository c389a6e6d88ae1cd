// The one HTTP client of schicht, on libcurl: registries and token servers (registry/),
// lookaside signatures and `load -i URL` (copy/), build's `ADD URL` (builder/).
//
// One HttpClient holds the connection, DNS and TLS-session caches shared by every request it
// sends; easy handles are pooled and reused. TLS is verified by default; a certs.d-style
// directory adds CA files (*.crt) and a client certificate (*.cert + *.key). HTTP/2 is used
// where the server offers it over TLS. Proxies come from the environment as curl reads them
// (http_proxy, https_proxy, all_proxy and no_proxy; HTTPS_PROXY and the others in upper case
// too, but never HTTP_PROXY, which a CGI request can set).
//
// Behaviour every caller gets:
//   - Idempotent requests (GET, HEAD, PUT, DELETE with a replayable body) are retried with
//     exponential backoff on 5xx other than 501, on 429 (honouring Retry-After) and when a
//     connection drops before any response body was delivered.
//   - Redirects are followed by hand, so that Authorization is never sent to another origin.
//   - Bodies streamed into a Writer are bounded; a body past its bound fails with kIntegrity.
//   - Transport failures are kNetwork errors naming the method, the URL and curl's message.
//     HTTP statuses are not errors here: callers decide what a 404 means.
//
// Ownership: a request's body_reader and a call's sink are borrowed for the duration of the call.
// Thread-safety: an HttpClient may be shared by threads; each call borrows its own easy handle.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/fs.h"
#include "core/io.h"

namespace schicht::http {

// HTTP header fields. Names compare case-insensitively; order and repeated fields are kept.
class HttpHeaders {
 public:
  void add(std::string_view name, std::string_view value);
  // Replaces every field of that name with one field.
  void set(std::string_view name, std::string_view value);
  void remove(std::string_view name);
  // The first field of that name.
  std::optional<std::string> get(std::string_view name) const;
  std::vector<std::string> get_all(std::string_view name) const;
  bool contains(std::string_view name) const { return get(name).has_value(); }
  const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

struct HttpOptions {
  bool tls_verify = true;
  // A directory in podman's certs.d layout: *.crt are CA certificates added to the system
  // roots; each *.cert with the *.key of the same base name is a client certificate (the first,
  // in name order, is used). Empty or missing: none.
  fs::path cert_dir;
  std::chrono::milliseconds connect_timeout{30'000};
  // The whole of one attempt; zero means no limit (layers can take long).
  std::chrono::milliseconds total_timeout{0};
  // An attempt slower than this many bytes per second for low_speed_time is a dropped
  // connection (and so retried or resumed): a registry that drips a byte a second cannot hold
  // a transfer forever. Zero disables the check.
  uint32_t low_speed_bytes_per_second = 1024;
  std::chrono::seconds low_speed_time{30};
  // Attempts after the first one.
  int max_retries = 4;
  std::chrono::milliseconds initial_backoff{500};
  std::chrono::milliseconds max_backoff{30'000};
  int max_redirects = 10;
  // Empty: "schicht/<version>".
  std::string user_agent;
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  HttpHeaders headers;
  // The body, when body_reader is null. PUT, POST and PATCH always send a Content-Length.
  std::string body;
  // When set, exactly body_size bytes are streamed from it instead of `body`. Such a request
  // cannot be replayed, so it is never retried nor redirected.
  Reader* body_reader = nullptr;
  uint64_t body_size = 0;
  // Overrides the retry rule (default: GET, HEAD, PUT, DELETE and OPTIONS are idempotent).
  std::optional<bool> idempotent;
};

struct HttpResponse {
  long status = 0;
  // The fields of the final response (after redirects and interim 1xx responses).
  HttpHeaders headers;
  // send(): the body. Streaming calls: the body of a response that was not streamed (non-2xx),
  // cut at 64 KiB, for error messages.
  std::string body;
  // The URL that produced this response, after redirects.
  std::string url;
};

inline constexpr size_t kDefaultHttpBodyLimit = size_t{8} << 20;

class HttpClient {
 public:
  // Fails with kInvalidInput when cert_dir holds a client certificate without its key or the
  // other way round, kIo when a file there cannot be read.
  explicit HttpClient(HttpOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  const HttpOptions& options() const;

  // Sends the request and returns the final response with its body in memory. A body longer
  // than body_limit fails with kInvalidInput.
  HttpResponse send(const HttpRequest& request, size_t body_limit = kDefaultHttpBodyLimit);

  // Sends the request; the body of a 2xx response streams into `sink`, at most `limit` bytes
  // (a larger Content-Length or body fails with kIntegrity before or when it happens). Bodies of
  // other statuses never reach the sink. Retries happen only while nothing reached the sink.
  HttpResponse send_to(const HttpRequest& request, Writer& sink, uint64_t limit);

  // A GET of a resource of exactly `size` bytes whose first `offset` bytes the caller already
  // has: the remaining bytes go to `sink`, in order, each once. Asks with `Range: bytes=N-`
  // when N > 0, and after a dropped connection resumes from where it stopped; a server that
  // ignores the range has the bytes the caller already has skipped. A Content-Length or
  // Content-Range that disagrees with `size`, or a body that ends early or runs long, fails
  // with kIntegrity. Returns the final response (200 or 206 on success; the caller maps other
  // statuses, whose bodies never reach the sink).
  HttpResponse download(const HttpRequest& request, Writer& sink, uint64_t offset, uint64_t size);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// Resolves `reference` (absolute, or relative like a Location or Link target) against `base`.
// kInvalidInput when either does not parse.
std::string resolve_url(std::string_view base, std::string_view reference);

// "scheme://host:port" in lower case with the default port filled in: what decides whether
// credentials may follow a redirect.
std::string url_origin(std::string_view url);

// Percent-encodes everything but RFC 3986 unreserved characters.
std::string url_escape(std::string_view text);

// Appends `key=value` (value escaped) to the URL's query, keeping what is there.
std::string add_query(std::string_view url, std::string_view key, std::string_view value);

// "404 Not Found": the status with its standard reason phrase, for messages.
std::string status_text(long status);

// The delay a Retry-After value asks for (delta-seconds or an HTTP date); nullopt when it
// cannot be read.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value);

}  // namespace schicht::http
