// HttpClient: one libcurl easy transfer per attempt, with retries, redirects and resumption
// layered on top. See http.h for the contract.
#include "http/client.h"

#include "http/curl_api.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <exception>
#include <functional>
#include <mutex>
#include <random>
#include <thread>

#include <fmt/format.h>

#include "core/error.h"

namespace schicht::http {
namespace {

// Bodies of responses that are not streamed to the caller's sink are kept only this far.
constexpr size_t kErrorBodyLimit = 64 * 1024;

void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_api().global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      fail(ErrorKind::kInternal, "curl_global_init failed");
    }
  });
}

bool is_success(long status) {
  return status >= 200 && status < 300;
}

bool is_redirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// 501 means the server will never do it; other 5xx and 429 are worth another try.
bool is_retryable_status(long status) {
  return status == 429 || (status >= 500 && status <= 599 && status != 501);
}

bool is_idempotent_method(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" ||
         method == "OPTIONS";
}

bool has_request_body(std::string_view method, bool nonempty_body) {
  return nonempty_body || method == "PUT" || method == "POST" || method == "PATCH";
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' ||
                           text.back() == '\n')) {
    text.remove_suffix(1);
  }
  return text;
}

std::optional<uint64_t> parse_u64(std::string_view text) {
  text = trim(text);
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

// A transport failure. `delivered` counts body bytes that reached the sink before it, so that a
// download can resume after them; `dropped` says the connection broke mid-exchange, `stalled`
// that it was aborted for staying below the stall speed.
class TransferError : public Error {
 public:
  TransferError(const std::string& message, uint64_t delivered, bool dropped, bool stalled)
      : Error(ErrorKind::kNetwork, message),
        delivered_(delivered),
        dropped_(dropped),
        stalled_(stalled) {}
  uint64_t delivered() const { return delivered_; }
  bool dropped() const { return dropped_; }
  bool stalled() const { return stalled_; }

 private:
  uint64_t delivered_;
  bool dropped_;
  bool stalled_;
};

// Where the body of a response goes; fixed for all attempts of one exchange.
struct BodyPolicy {
  // Success bodies stream here; null collects every body into HttpResponse::body.
  Writer* sink = nullptr;
  uint64_t limit = 0;
  // Over the limit is an integrity failure (a declared size) rather than oversized input.
  bool limit_is_declared_size = false;
  // Runs once the headers of a 2xx response are in, before any of its body is delivered.
  std::function<void(struct Transfer&)> on_start;
};

// The state of one attempt, shared with the curl callbacks.
struct Transfer {
  const BodyPolicy* policy = nullptr;
  std::string what;  // "GET https://...", for messages
  Reader* upload = nullptr;
  uint64_t upload_left = 0;

  long status = 0;
  HttpHeaders headers;
  std::string body;
  uint64_t skip = 0;  // leading success-body bytes to drop (set by on_start)
  uint64_t delivered = 0;
  bool started = false;
  std::exception_ptr error;
};

void start_body(Transfer& t) {
  t.started = true;
  if (t.policy->on_start) t.policy->on_start(t);
  if (auto length = t.headers.get("Content-Length")) {
    std::optional<uint64_t> declared = parse_u64(*length);
    if (declared && *declared > t.skip && *declared - t.skip > t.policy->limit) {
      fail(t.policy->limit_is_declared_size ? ErrorKind::kIntegrity : ErrorKind::kInvalidInput,
           fmt::format("{}: Content-Length {} exceeds the expected {} bytes", t.what,
                       *declared - t.skip, t.policy->limit));
    }
  }
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line = trim(std::string_view(data, size * count));
  if (line.starts_with("HTTP/")) {
    // A new response begins (an interim 1xx, or the next one): forget the previous fields.
    t->headers = HttpHeaders();
    size_t space = line.find(' ');
    if (space != std::string_view::npos) {
      std::string_view code = line.substr(space + 1, 3);
      t->status = static_cast<long>(parse_u64(code).value_or(0));
    }
  } else if (size_t colon = line.find(':'); colon != std::string_view::npos) {
    t->headers.add(trim(line.substr(0, colon)), trim(line.substr(colon + 1)));
  }
  return size * count;
}

size_t on_write(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  try {
    const BodyPolicy& policy = *t->policy;
    if (policy.sink != nullptr && !is_success(t->status)) {
      t->body.append(data,
                     std::min(n, kErrorBodyLimit - std::min(kErrorBodyLimit, t->body.size())));
      return n;
    }
    if (!t->started && is_success(t->status)) start_body(*t);
    std::string_view chunk(data, n);
    uint64_t dropped = std::min<uint64_t>(t->skip, chunk.size());
    chunk.remove_prefix(dropped);
    t->skip -= dropped;
    if (t->delivered + chunk.size() > policy.limit) {
      fail(policy.limit_is_declared_size ? ErrorKind::kIntegrity : ErrorKind::kInvalidInput,
           fmt::format("{}: response body larger than the expected {} bytes", t->what,
                       policy.limit));
    }
    if (policy.sink != nullptr) {
      policy.sink->write(chunk.data(), chunk.size());
    } else {
      t->body.append(chunk);
    }
    t->delivered += chunk.size();
    return n;
  } catch (...) {
    t->error = std::current_exception();
    return 0;  // anything but n makes curl abort the transfer
  }
}

size_t on_read(char* buffer, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t want = static_cast<size_t>(std::min<uint64_t>(size * count, t->upload_left));
  if (want == 0) return 0;
  try {
    size_t n = t->upload->read(buffer, want);
    if (n == 0) {
      fail(ErrorKind::kInvalidInput,
           fmt::format("{}: request body ended {} bytes short", t->what, t->upload_left));
    }
    t->upload_left -= n;
    return n;
  } catch (...) {
    t->error = std::current_exception();
    return CURL_READFUNC_ABORT;
  }
}

// Failures after which the same request may well succeed: the peer or a middlebox dropped the
// connection, or the transfer stalled once a response had begun.
bool is_dropped_connection(CURLcode code, const Transfer& t) {
  switch (code) {
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    case CURLE_OPERATION_TIMEDOUT:
      return t.status != 0;
    default:
      return false;
  }
}

struct ShareDeleter {
  void operator()(CURLSH* share) const { curl_api().share_cleanup(share); }
};

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_api().slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

// The request as it stands at one hop of a redirect chain.
struct Hop {
  std::string method;
  std::string url;
  HttpHeaders headers;
  const std::string* body = nullptr;  // never null
  Reader* reader = nullptr;
  uint64_t reader_size = 0;
};

}  // namespace

class HttpClient::Impl {
 public:
  int max_retries() const { return options_.max_retries; }

  explicit Impl(HttpOptions options) : options_(std::move(options)) {
    init_curl_once();
    if (options_.user_agent.empty()) options_.user_agent = "schicht/" SCHICHT_VERSION;
    load_cert_dir();
    share_.reset(curl_api().share_init());
    if (!share_) fail(ErrorKind::kInternal, "curl_share_init failed");
    CURLSH* share = share_.get();
    curl_api().share_setopt(share, CURLSHOPT_LOCKFUNC, &Impl::lock);
    curl_api().share_setopt(share, CURLSHOPT_UNLOCKFUNC, &Impl::unlock);
    curl_api().share_setopt(share, CURLSHOPT_USERDATA, this);
    curl_api().share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_api().share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    curl_api().share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
  }

  ~Impl() {
    // Easy handles go first: they hold connections of the share.
    for (CURL* easy : pool_) curl_api().easy_cleanup(easy);
  }

  const HttpOptions& options() const { return options_; }

  // Runs the request through retries and redirects. `delivered` receives the body bytes that
  // reached the policy's destination in the final response.
  HttpResponse exchange(const HttpRequest& request, const BodyPolicy& policy,
                        uint64_t* delivered = nullptr);

 private:
  static void lock(CURL*, curl_lock_data data, curl_lock_access, void* user) {
    static_cast<Impl*>(user)->locks_[static_cast<size_t>(data)].lock();
  }
  static void unlock(CURL*, curl_lock_data data, void* user) {
    static_cast<Impl*>(user)->locks_[static_cast<size_t>(data)].unlock();
  }

  void load_cert_dir();
  CURL* acquire();
  void release(CURL* easy);
  CURLcode perform(const Hop& hop, Transfer& t, std::string& message);
  void sleep_before_retry(int attempt, const Transfer& t);

  HttpOptions options_;
  std::array<std::mutex, CURL_LOCK_DATA_LAST> locks_;
  // After locks_: cleaning up the share still takes its locks.
  std::unique_ptr<CURLSH, ShareDeleter> share_;
  std::mutex pool_mutex_;
  std::vector<CURL*> pool_;
  std::string ca_blob_;  // system roots plus the cert dir's *.crt; empty: curl's defaults
  std::string client_cert_;
  std::string client_key_;
};

void HttpClient::Impl::load_cert_dir() {
  const fs::path& dir = options_.cert_dir;
  std::error_code ec;
  if (dir.empty() || !fs::is_directory(dir, ec)) return;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  std::string extra_cas;
  for (const fs::path& file : files) {
    std::string ext = file.extension().string();
    if (ext == ".crt") {
      extra_cas += read_file(file);
      extra_cas += '\n';
    } else if (ext == ".cert") {
      fs::path key = fs::path(file).replace_extension(".key");
      if (!fs::exists(key, ec)) {
        fail(ErrorKind::kInvalidInput, fmt::format("missing key {} for client certificate {}",
                                                   key.filename().string(), file.string()));
      }
      if (client_cert_.empty()) {
        client_cert_ = file.string();
        client_key_ = key.string();
      }
    } else if (ext == ".key") {
      fs::path cert = fs::path(file).replace_extension(".cert");
      if (!fs::exists(cert, ec)) {
        fail(ErrorKind::kInvalidInput, fmt::format("missing client certificate {} for key {}",
                                                   cert.filename().string(), file.string()));
      }
    }
  }
  if (extra_cas.empty() || !options_.tls_verify) return;
  // A CA blob replaces curl's default bundle, so the system roots go in first: certs.d adds
  // trust, it does not narrow it.
  CURL* easy = curl_api().easy_init();
  char* default_bundle = nullptr;
  if (easy != nullptr &&
      curl_api().easy_getinfo(easy, CURLINFO_CAINFO, &default_bundle) == CURLE_OK &&
      default_bundle != nullptr && fs::exists(default_bundle, ec)) {
    ca_blob_ = read_file(default_bundle);
    ca_blob_ += '\n';
  }
  if (easy != nullptr) curl_api().easy_cleanup(easy);
  ca_blob_ += extra_cas;
}

CURL* HttpClient::Impl::acquire() {
  {
    std::lock_guard lock(pool_mutex_);
    if (!pool_.empty()) {
      CURL* easy = pool_.back();
      pool_.pop_back();
      return easy;
    }
  }
  CURL* easy = curl_api().easy_init();
  if (easy == nullptr) fail(ErrorKind::kInternal, "curl_easy_init failed");
  return easy;
}

void HttpClient::Impl::release(CURL* easy) {
  std::lock_guard lock(pool_mutex_);
  pool_.push_back(easy);
}

CURLcode HttpClient::Impl::perform(const Hop& hop, Transfer& t, std::string& message) {
  CURL* easy = acquire();
  struct Release {
    Impl* impl;
    CURL* easy;
    ~Release() { impl->release(easy); }
  } release{this, easy};
  // reset keeps the handle's live connections and caches but forgets the previous options.
  curl_api().easy_reset(easy);
  char errors[CURL_ERROR_SIZE] = {};
  curl_api().easy_setopt(easy, CURLOPT_URL, hop.url.c_str());
  curl_api().easy_setopt(easy, CURLOPT_SHARE, share_.get());
  curl_api().easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_api().easy_setopt(easy, CURLOPT_ERRORBUFFER, errors);
  curl_api().easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_api().easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
  curl_api().easy_setopt(easy, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  curl_api().easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_api().easy_setopt(easy, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_api().easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                         static_cast<long>(options_.connect_timeout.count()));
  curl_api().easy_setopt(easy, CURLOPT_TIMEOUT_MS,
                         static_cast<long>(options_.total_timeout.count()));
  if (options_.low_speed_bytes_per_second > 0) {
    curl_api().easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT,
                           static_cast<long>(options_.low_speed_bytes_per_second));
    curl_api().easy_setopt(easy, CURLOPT_LOW_SPEED_TIME,
                           static_cast<long>(options_.low_speed_time.count()));
  }
  curl_api().easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, options_.tls_verify ? 1L : 0L);
  curl_api().easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, options_.tls_verify ? 2L : 0L);
  if (!ca_blob_.empty()) {
    curl_blob blob{ca_blob_.data(), ca_blob_.size(), CURL_BLOB_NOCOPY};
    curl_api().easy_setopt(easy, CURLOPT_CAINFO_BLOB, &blob);
  }
  if (!client_cert_.empty()) {
    curl_api().easy_setopt(easy, CURLOPT_SSLCERT, client_cert_.c_str());
    curl_api().easy_setopt(easy, CURLOPT_SSLKEY, client_key_.c_str());
  }
  curl_api().easy_setopt(easy, CURLOPT_HEADERFUNCTION, &on_header);
  curl_api().easy_setopt(easy, CURLOPT_HEADERDATA, &t);
  curl_api().easy_setopt(easy, CURLOPT_WRITEFUNCTION, &on_write);
  curl_api().easy_setopt(easy, CURLOPT_WRITEDATA, &t);

  StringReader body_reader(*hop.body);
  bool uploads = has_request_body(hop.method, hop.reader != nullptr || !hop.body->empty());
  Slist headers;
  auto add_header = [&](const std::string& line) {
    curl_slist* grown = curl_api().slist_append(headers.get(), line.c_str());
    if (grown == nullptr) fail(ErrorKind::kInternal, "curl_slist_append failed");
    static_cast<void>(headers.release());
    headers.reset(grown);
  };
  for (const auto& [name, value] : hop.headers.fields()) add_header(name + ": " + value);
  if (hop.method == "HEAD") {
    curl_api().easy_setopt(easy, CURLOPT_NOBODY, 1L);
  } else if (uploads) {
    t.upload = hop.reader != nullptr ? hop.reader : &body_reader;
    t.upload_left = hop.reader != nullptr ? hop.reader_size : hop.body->size();
    curl_api().easy_setopt(easy, CURLOPT_UPLOAD, 1L);
    curl_api().easy_setopt(easy, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(t.upload_left));
    curl_api().easy_setopt(easy, CURLOPT_READFUNCTION, &on_read);
    curl_api().easy_setopt(easy, CURLOPT_READDATA, &t);
    if (hop.method != "PUT")
      curl_api().easy_setopt(easy, CURLOPT_CUSTOMREQUEST, hop.method.c_str());
    // No "Expect: 100-continue" round trip: registries answer uploads directly.
    add_header("Expect:");
  } else if (hop.method != "GET") {
    curl_api().easy_setopt(easy, CURLOPT_CUSTOMREQUEST, hop.method.c_str());
  }
  curl_api().easy_setopt(easy, CURLOPT_HTTPHEADER, headers.get());

  CURLcode code = curl_api().easy_perform(easy);
  if (code != CURLE_OK) message = errors[0] != '\0' ? errors : curl_api().easy_strerror(code);
  return code;
}

void HttpClient::Impl::sleep_before_retry(int attempt, const Transfer& t) {
  using std::chrono::milliseconds;
  milliseconds delay = options_.initial_backoff * (int64_t{1} << std::min(attempt, 20));
  if (t.status == 429 || t.status == 503) {
    if (auto header = t.headers.get("Retry-After")) {
      if (auto asked = parse_retry_after(*header)) delay = *asked;
    }
  } else {
    // Jitter keeps parallel transfers that failed together from retrying in lockstep.
    thread_local std::minstd_rand random(std::random_device{}());
    delay = delay / 2 + milliseconds(random() % (static_cast<uint64_t>(delay.count()) / 2 + 1));
  }
  std::this_thread::sleep_for(std::min(delay, options_.max_backoff));
}

HttpResponse HttpClient::Impl::exchange(const HttpRequest& request, const BodyPolicy& policy,
                                        uint64_t* delivered) {
  Hop hop{request.method, request.url,         request.headers,
          &request.body,  request.body_reader, request.body_size};
  const std::string no_body;
  bool replayable = request.body_reader == nullptr;
  bool idempotent = replayable && request.idempotent.value_or(is_idempotent_method(hop.method));
  for (int redirects = 0;; ++redirects) {
    Transfer t;
    for (int attempt = 0;; ++attempt) {
      t = Transfer();
      t.policy = &policy;
      t.what = hop.method + " " + hop.url;
      std::string message;
      CURLcode code = perform(hop, t, message);
      if (t.error) std::rethrow_exception(t.error);
      // A body collected in memory is dropped with its attempt; one streamed to the caller's
      // sink cannot be taken back, so only an untouched sink allows another try.
      bool may_retry = idempotent && attempt < options_.max_retries &&
                       (policy.sink == nullptr || t.delivered == 0);
      if (code != CURLE_OK) {
        bool dropped = is_dropped_connection(code, t);
        if (dropped && may_retry) {
          sleep_before_retry(attempt, t);
          continue;
        }
        // A low-speed abort reads "Operation too slow..." in curl's words: say what it means.
        bool stalled = code == CURLE_OPERATION_TIMEDOUT &&
                       options_.low_speed_bytes_per_second > 0 &&
                       message.starts_with("Operation too slow");
        if (stalled) {
          message = fmt::format("the connection stalled (less than {} bytes/s for {} s): {}",
                                options_.low_speed_bytes_per_second,
                                options_.low_speed_time.count(), message);
        }
        if (attempt > 0) message += fmt::format(" (gave up after {} attempts)", attempt + 1);
        throw TransferError(fmt::format("{}: {}", t.what, message), t.delivered, dropped, stalled);
      }
      if (is_retryable_status(t.status) && may_retry) {
        sleep_before_retry(attempt, t);
        continue;
      }
      break;
    }
    std::optional<std::string> location = t.headers.get("Location");
    if (!is_redirect(t.status) || !location) {
      if (delivered != nullptr) *delivered = t.delivered;
      return HttpResponse{t.status, std::move(t.headers), std::move(t.body), hop.url};
    }
    if (redirects >= options_.max_redirects) {
      fail(ErrorKind::kNetwork, fmt::format("{} {}: stopped after {} redirects", request.method,
                                            request.url, redirects));
    }
    std::string next = resolve_url(hop.url, *location);
    if (url_origin(next) != url_origin(hop.url)) hop.headers.remove("Authorization");
    bool becomes_get = (t.status == 303 && hop.method != "HEAD") ||
                       ((t.status == 301 || t.status == 302) && hop.method == "POST");
    if (becomes_get) {
      hop.method = "GET";
      hop.body = &no_body;
      hop.reader = nullptr;
      hop.headers.remove("Content-Type");
    } else if (!replayable) {
      fail(ErrorKind::kNetwork,
           fmt::format("{} {}: redirected to {}, but the streamed request body cannot be sent "
                       "again",
                       hop.method, hop.url, next));
    }
    hop.url = std::move(next);
  }
}

HttpClient::HttpClient(HttpOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
HttpClient::~HttpClient() = default;

const HttpOptions& HttpClient::options() const {
  return impl_->options();
}

HttpResponse HttpClient::send(const HttpRequest& request, size_t body_limit) {
  BodyPolicy policy;
  policy.limit = body_limit;
  return impl_->exchange(request, policy);
}

HttpResponse HttpClient::send_to(const HttpRequest& request, Writer& sink, uint64_t limit) {
  BodyPolicy policy;
  policy.sink = &sink;
  policy.limit = limit;
  policy.limit_is_declared_size = true;
  return impl_->exchange(request, policy);
}

HttpResponse HttpClient::download(const HttpRequest& request, Writer& sink, uint64_t offset,
                                  uint64_t size) {
  if (offset > size) {
    fail(ErrorKind::kInvalidInput, fmt::format("GET {}: resuming at byte {} of a {}-byte resource",
                                               request.url, offset, size));
  }
  if (offset == size) return HttpResponse{200, {}, {}, request.url};
  uint64_t have = offset;
  int stalls = 0;
  for (int resumes = 0;; ++resumes) {
    HttpRequest ranged = request;
    ranged.method = "GET";
    if (have > 0) {
      ranged.headers.set("Range", fmt::format("bytes={}-", have));
    } else {
      ranged.headers.remove("Range");
    }
    BodyPolicy policy;
    policy.sink = &sink;
    policy.limit = size - have;
    policy.limit_is_declared_size = true;
    policy.on_start = [have, size](Transfer& t) {
      auto integrity = [&t](const std::string& problem) {
        fail(ErrorKind::kIntegrity, fmt::format("{}: {}", t.what, problem));
      };
      std::optional<uint64_t> length;
      if (auto header = t.headers.get("Content-Length")) length = parse_u64(*header);
      if (t.status == 200) {
        // The whole resource, whatever we asked for: skip what the caller already has.
        t.skip = have;
        if (length && *length != size) {
          integrity(fmt::format("Content-Length {} but expected {} bytes", *length, size));
        }
      } else if (t.status == 206) {
        std::string range = t.headers.get("Content-Range").value_or("");
        std::string expected = fmt::format("bytes {}-{}/{}", have, size - 1, size);
        if (range != expected && range != fmt::format("bytes {}-{}/*", have, size - 1)) {
          integrity(fmt::format("Content-Range \"{}\" but expected \"{}\"", range, expected));
        }
        if (length && *length != size - have) {
          integrity(fmt::format("Content-Length {} but expected {} bytes", *length, size - have));
        }
      } else {
        integrity(fmt::format("unexpected status {} for a download", status_text(t.status)));
      }
    };
    try {
      uint64_t delivered = 0;
      HttpResponse response = impl_->exchange(ranged, policy, &delivered);
      if (!is_success(response.status)) return response;
      if (have + delivered != size) {
        fail(ErrorKind::kIntegrity, fmt::format("GET {}: body ended after {} of {} bytes",
                                                response.url, have + delivered, size));
      }
      return response;
    } catch (const TransferError& e) {
      // Each resumption made progress, so this ends; the cap guards against a peer that
      // trickles a byte per connection. A peer that drips below the stall speed makes progress
      // too, but slowly enough to hold a pull for days: its stalls count against the retries.
      if (!e.dropped() || e.delivered() == 0 || resumes >= 1000) throw;
      if (e.stalled() && ++stalls > impl_->max_retries()) {
        throw TransferError(fmt::format("{} (gave up after {} stalled attempts)", e.what(), stalls),
                            e.delivered(), true, true);
      }
      have += e.delivered();
    }
  }
}

}  // namespace schicht::http
