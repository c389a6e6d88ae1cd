// Requests to handlers: authentication, the read-only rule, routing (serve/route.h) and the
// store's answers (serve/store_view.h), each written as the distribution spec wants it.
#include "serve/http/server.h"

#include <fcntl.h>
#include <httplib.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "core/digest.h"
#include "core/error.h"
#include "core/fs.h"
#include "serve/htpasswd.h"
#include "serve/route.h"
#include "serve/store_view.h"

namespace schicht::serve {
namespace {

constexpr std::string_view kRealm = "schicht";

// Each worker thread reads the store through its own connection (a Store is used by one
// thread at a time), opened on its first request and kept: nothing it reads is cached.
thread_local std::unique_ptr<store::Store> thread_store;
// Who the current request authenticated as, for the access log line written after it.
thread_local std::string request_user;

void set_error(httplib::Response& res, int status, std::string_view code, std::string_view message,
               const nlohmann::json& detail = nullptr) {
  nlohmann::json error{{"code", code}, {"message", message}};
  if (!detail.is_null()) error["detail"] = detail;
  res.status = status;
  res.set_content(nlohmann::json{{"errors", nlohmann::json::array({error})}}.dump(),
                  "application/json");
}

std::optional<size_t> page_size(const httplib::Request& req) {
  if (!req.has_param("n")) return std::nullopt;
  std::string n = req.get_param_value("n");
  size_t value = 0;
  for (char c : n) {
    if (c < '0' || c > '9' || value > 100000) return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return n.empty() ? std::nullopt : std::optional<size_t>(value);
}

// RFC 5988 Link to the next page, as distribution writes it.
void set_next_link(httplib::Response& res, std::string_view path, const Page& page,
                   std::optional<size_t> n) {
  if (!page.more || page.entries.empty()) return;
  res.set_header("Link", fmt::format("<{}?last={}&n={}>; rel=\"next\"", path, page.entries.back(),
                                     n.value_or(page.entries.size())));
}

class Handler {
 public:
  explicit Handler(const ServeOptions& options) : options_(options) {
    if (!options.htpasswd.empty()) auth_.emplace(Htpasswd::load(options.htpasswd));
  }

  void operator()(const httplib::Request& req, httplib::Response& res) {
    request_user.clear();
    res.set_header("Docker-Distribution-API-Version", "registry/2.0");
    try {
      handle(req, res);
    } catch (const Error& e) {
      fmt::print(stderr, "schicht serve: {} {}: {}\n", req.method, req.path, e.what());
      res.headers.erase("Docker-Content-Digest");
      set_error(res, 500, "UNKNOWN", e.what());
    } catch (const std::exception& e) {
      fmt::print(stderr, "schicht serve: {} {}: internal error: {}\n", req.method, req.path,
                 e.what());
      set_error(res, 500, "UNKNOWN", "internal error");
    }
  }

 private:
  store::Store& store() {
    if (!thread_store) thread_store = std::make_unique<store::Store>(options_.root);
    return *thread_store;
  }

  void handle(const httplib::Request& req, httplib::Response& res) {
    if (auth_) {
      auto user = auth_->check(req.get_header_value("Authorization"));
      if (!user) {
        res.set_header("WWW-Authenticate", fmt::format("Basic realm=\"{}\"", kRealm));
        set_error(res, 401, "UNAUTHORIZED", "authentication required");
        return;
      }
      request_user = *user;
    }
    if (req.method != "GET" && req.method != "HEAD") {
      res.set_header("Allow", "GET, HEAD");
      set_error(res, 405, "UNSUPPORTED", "this registry is read-only (schicht serve)");
      return;
    }
    RouteResult parsed = parse_route(req.path);
    if (!parsed.route) {
      switch (parsed.error) {
        case RouteError::kNameInvalid:
          return set_error(res, 400, "NAME_INVALID", "invalid repository name");
        case RouteError::kTagInvalid:
          return set_error(res, 400, "MANIFEST_INVALID", "invalid tag");
        case RouteError::kDigestInvalid:
          return set_error(res, 400, "DIGEST_INVALID", "invalid digest");
        case RouteError::kNotFound:
          return set_error(res, 404, "NOT_FOUND", "no such endpoint");
      }
    }
    const Route& route = *parsed.route;
    StoreView view(store());
    switch (route.endpoint) {
      case Endpoint::kBase:
        res.set_content("{}", "application/json");
        return;
      case Endpoint::kCatalog:
        return catalog(req, res, view);
      case Endpoint::kUpload:
        res.set_header("Allow", "");
        return set_error(res, 405, "UNSUPPORTED", "this registry is read-only (schicht serve)");
      default:
        break;
    }
    std::optional<std::string> repository;
    for (const std::string& candidate : candidate_repositories(route.name, options_.mirror_of)) {
      if (allowed(candidate, options_.allow) && view.has_repository(candidate)) {
        repository = candidate;
        break;
      }
    }
    if (!repository)
      return set_error(res, 404, "NAME_UNKNOWN", "repository name not known to registry",
                       {{"name", route.name}});
    switch (route.endpoint) {
      case Endpoint::kTags:
        return tags(req, res, view, route, *repository);
      case Endpoint::kManifest:
        return manifest(res, view, route, *repository);
      case Endpoint::kBlob:
        return blob(req, res, view, route, *repository);
      case Endpoint::kReferrers:
        res.set_content(
            R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]})",
            "application/vnd.oci.image.index.v1+json");
        return;
      default:
        return set_error(res, 404, "NOT_FOUND", "no such endpoint");
    }
  }

  void catalog(const httplib::Request& req, httplib::Response& res, StoreView& view) {
    std::vector<std::string> repositories;
    for (std::string& r : view.repositories())
      if (allowed(r, options_.allow)) repositories.push_back(std::move(r));
    auto n = page_size(req);
    Page page = paginate(repositories, n, req.get_param_value("last"));
    set_next_link(res, "/v2/_catalog", page, n);
    res.set_content(nlohmann::json{{"repositories", page.entries}}.dump(), "application/json");
  }

  void tags(const httplib::Request& req, httplib::Response& res, StoreView& view,
            const Route& route, const std::string& repository) {
    auto n = page_size(req);
    Page page = paginate(view.tags(repository), n, req.get_param_value("last"));
    set_next_link(res, fmt::format("/v2/{}/tags/list", route.name), page, n);
    res.set_content(nlohmann::json{{"name", route.name}, {"tags", page.entries}}.dump(),
                    "application/json");
  }

  void manifest(httplib::Response& res, StoreView& view, const Route& route,
                const std::string& repository) {
    auto found = view.manifest(repository, route.reference);
    std::string bytes;
    if (found) {
      try {
        bytes = view.store().blobs().read(found->digest);
      } catch (const Error& e) {
        if (e.kind() != ErrorKind::kNotFound) throw;
        found.reset();  // removed since the lookup
      }
    }
    if (!found)
      return set_error(res, 404, "MANIFEST_UNKNOWN", "manifest unknown",
                       {{"name", route.name}, {"reference", route.reference}});
    res.set_header("Docker-Content-Digest", found->digest.str());
    res.set_header("Etag", fmt::format("\"{}\"", found->digest.str()));
    std::string media_type = found->media_type;
    if (media_type.empty()) {
      auto json = nlohmann::json::parse(bytes, nullptr, false);
      if (json.is_object() && json.contains("mediaType") && json["mediaType"].is_string())
        media_type = json["mediaType"].get<std::string>();
      else
        media_type = "application/vnd.oci.image.manifest.v1+json";
    }
    res.set_content(bytes, media_type);
  }

  void blob(const httplib::Request& req, httplib::Response& res, StoreView& view,
            const Route& route, const std::string& repository) {
    Digest digest = Digest::parse(route.reference);
    auto size = view.blob(repository, digest);
    std::shared_ptr<UniqueFd> fd;
    if (size) {
      try {
        fd = std::make_shared<UniqueFd>(view.store().blobs().open(digest));
      } catch (const Error& e) {
        if (e.kind() != ErrorKind::kNotFound) throw;
      }
    }
    if (!fd)
      return set_error(res, 404, "BLOB_UNKNOWN", "blob unknown to registry",
                       {{"digest", digest.str()}});
    // The blob as opened: an rmi from now on unlinks the name, not these bytes.
    struct stat st {};
    if (fstat(fd->get(), &st) == 0) size = static_cast<uint64_t>(st.st_size);
    // httplib parsed the Range header into req.ranges and would cut any body by it; ranges are
    // decided here (one range, 416 when unsatisfiable), so its copy is dropped.
    const_cast<httplib::Request&>(req).ranges.clear();
    RangeRequest range = parse_range(req.get_header_value("Range"), *size);
    res.set_header("Docker-Content-Digest", digest.str());
    res.set_header("Accept-Ranges", "bytes");
    res.set_header("Etag", fmt::format("\"{}\"", digest.str()));
    if (range.kind == RangeKind::kUnsatisfiable) {
      res.status = 416;
      res.set_header("Content-Range", fmt::format("bytes */{}", *size));
      return;
    }
    ByteRange part{0, *size};
    res.status = 200;
    if (range.kind == RangeKind::kPartial) {
      part = range.range;
      res.status = 206;
      res.set_header("Content-Range", fmt::format("bytes {}-{}/{}", part.first,
                                                  part.first + part.length - 1, *size));
    }
    res.set_content_provider(part.length, "application/octet-stream",
                             [fd, part](size_t offset, size_t length, httplib::DataSink& sink) {
                               constexpr size_t kChunk = size_t{1} << 20;
                               std::string buffer(std::min(length, kChunk), '\0');
                               ssize_t n;
                               do {
                                 n = pread(fd->get(), buffer.data(), buffer.size(),
                                           static_cast<off_t>(part.first + offset));
                               } while (n < 0 && errno == EINTR);
                               if (n <= 0)
                                 return false;  // the client gets a short body, not wrong bytes
                               return sink.write(buffer.data(), static_cast<size_t>(n));
                             });
  }

  const ServeOptions& options_;
  std::optional<Htpasswd> auth_;
};

// What a client sent, for one field of a log line: quotes, backslashes and control characters
// escaped, so a line stays one line with its fields where they belong.
std::string log_field(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (c == '"' || c == '\\')
      out += fmt::format("\\{}", static_cast<char>(c));
    else if (c < 0x20 || c == 0x7f)
      out += fmt::format("\\x{:02x}", c);
    else
      out += static_cast<char>(c);
  }
  return out;
}

// The Common Log Format plus the user agent, to stderr or --access-log, one write a line.
class AccessLog {
 public:
  explicit AccessLog(const std::string& path) {
    if (path.empty()) return;
    file_ = std::fopen(path.c_str(), "ae");
    if (file_ == nullptr)
      throw Error(ErrorKind::kIo,
                  fmt::format("cannot open --access-log {}: {}", path, std::strerror(errno)));
  }
  ~AccessLog() {
    if (file_ != nullptr) std::fclose(file_);
  }
  void write(const httplib::Request& req, const httplib::Response& res) {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char when[64];
    std::strftime(when, sizeof when, "%d/%b/%Y:%H:%M:%S +0000", &tm);
    size_t bytes = req.method == "HEAD"       ? 0
                   : res.content_length_ != 0 ? res.content_length_
                                              : res.body.size();
    std::string line =
        fmt::format("{} - {} [{}] \"{} {} {}\" {} {} \"{}\"\n", req.remote_addr,
                    request_user.empty() ? "-" : log_field(request_user), when, req.method,
                    log_field(req.target), req.version.empty() ? "HTTP/1.1" : req.version,
                    res.status, bytes, log_field(req.get_header_value("User-Agent")));
    std::lock_guard lock(mutex_);
    FILE* out = file_ != nullptr ? file_ : stderr;
    std::fputs(line.c_str(), out);
    std::fflush(out);
  }

 private:
  FILE* file_ = nullptr;
  std::mutex mutex_;
};

}  // namespace

int run_server(const ServeOptions& options) {
  validate(options);
  ListenAddress address = *parse_listen(options.listen);
  // Opening the store once here reports a store that cannot be opened before serving.
  { store::Store check(options.root); }
  auto handler = std::make_shared<Handler>(options);
  AccessLog log(options.access_log);

  std::unique_ptr<httplib::Server> server;
  if (!options.cert.empty()) {
    for (const std::string& file : {options.cert, options.key})
      if (access(file.c_str(), R_OK) != 0)
        throw Error(ErrorKind::kNotFound,
                    fmt::format("cannot read {}: {}", file, std::strerror(errno)));
    auto tls = std::make_unique<httplib::SSLServer>(options.cert.c_str(), options.key.c_str());
    if (!tls->is_valid())
      throw Error(ErrorKind::kInvalidInput,
                  fmt::format("cannot use --cert {} and --key {}: not a PEM certificate and "
                              "its private key",
                              options.cert, options.key));
    server = std::move(tls);
  } else {
    server = std::make_unique<httplib::Server>();
  }
  int threads = options.threads;
  server->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // Headers and body go out in separate writes: with Nagle's algorithm, each small response
  // would wait for the client's delayed ACK (40 ms on Linux).
  server->set_tcp_nodelay(true);
  server->set_keep_alive_max_count(1000);
  // httplib's 5 s would drop a client that stops reading a blob for 5 s (a busy machine
  // decompressing 32 pulls at once) in the middle of it.
  server->set_read_timeout(60);
  server->set_write_timeout(60);
  server->set_keep_alive_timeout(30);
  server->set_payload_max_length(1 << 20);
  // SO_REUSEADDR only: httplib's default, SO_REUSEPORT, would let a second server bind the
  // port of a running one and take half its connections instead of failing.
  server->set_socket_options([](int socket) {
    int yes = 1;
    setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  auto route = [handler](const httplib::Request& req, httplib::Response& res) {
    (*handler)(req, res);
  };
  server->Get(".*", route);
  server->Post(".*", route);
  server->Put(".*", route);
  server->Patch(".*", route);
  server->Delete(".*", route);
  server->Options(".*", route);
  server->set_logger(
      [&log](const httplib::Request& req, const httplib::Response& res) { log.write(req, res); });

  // SIGINT and SIGTERM are taken by one thread, which stops the server; every other thread
  // (the pool's, created later) inherits the mask. SIGPIPE: a client that hangs up mid-blob is
  // that connection's end, not the server's.
  signal(SIGPIPE, SIG_IGN);
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  if (!server->bind_to_port(address.host, address.port))
    throw Error(ErrorKind::kIo, fmt::format("cannot listen on {}: {}", options.listen,
                                            errno != 0 ? std::strerror(errno) : "bind failed"));
  fmt::print(stderr, "schicht serve: serving {} on {}://{}\n", options.root,
             options.cert.empty() ? "http" : "https", options.listen);
  std::fflush(stderr);

  std::thread stopper([&] {
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    server->stop();
  });
  bool ok = server->listen_after_bind();
  // Wakes the stopper when the server ended by itself (it then stops nothing).
  if (stopper.joinable()) {
    pthread_kill(stopper.native_handle(), SIGTERM);
    stopper.join();
  }
  return ok ? 0 : 125;
}

}  // namespace schicht::serve
