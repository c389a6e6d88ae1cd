// A scripted HTTP/1.1 server on 127.0.0.1 for the HTTP client tests: every connection carries
// one request, the handler returns the raw bytes to answer with (so a test can send a broken
// or truncated response), and the connection is closed after them. A connection that does not
// start like an HTTP request (a TLS handshake) is closed at once. Requests are recorded.
// The server runs one thread; handlers run on it, one at a time.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

namespace schicht::http::testing {

struct FakeRequest {
  std::string method;
  std::string target;                          // path and query
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;

  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
  }
};

// A complete response with Content-Length and Connection: close.
inline std::string http_response(int status, const std::vector<std::string>& headers = {},
                                 const std::string& body = "", bool head = false) {
  std::string out = fmt::format("HTTP/1.1 {} Status\r\nConnection: close\r\n", status);
  for (const std::string& header : headers) out += header + "\r\n";
  out += fmt::format("Content-Length: {}\r\n\r\n", body.size());
  if (!head) out += body;
  return out;
}

class FakeHttpServer {
 public:
  using Handler = std::function<std::string(const FakeRequest&)>;

  explicit FakeHttpServer(Handler handler) : handler_(std::move(handler)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listen_fd_, 16) != 0) {
      throw std::runtime_error("fake server: cannot listen");
    }
    socklen_t length = sizeof address;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }

  ~FakeHttpServer() {
    stop_ = true;
    thread_.join();
    ::close(listen_fd_);
  }

  int port() const { return port_; }
  std::string host() const { return fmt::format("127.0.0.1:{}", port_); }
  std::string url(std::string_view path = "") const {
    return fmt::format("http://127.0.0.1:{}{}", port_, path);
  }

  std::vector<FakeRequest> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  size_t count(std::string_view path_prefix) const {
    size_t n = 0;
    for (const FakeRequest& request : requests()) n += request.target.starts_with(path_prefix);
    return n;
  }

 private:
  void serve() {
    while (!stop_) {
      pollfd ready{listen_fd_, POLLIN, 0};
      if (::poll(&ready, 1, 20) <= 0) continue;
      int connection = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (connection < 0) continue;
      handle(connection);
      ::close(connection);
    }
  }

  // Reads until `pattern` or `want` bytes are buffered; false on EOF, timeout or error.
  static bool read_more(int fd, std::string& buffer) {
    pollfd ready{fd, POLLIN, 0};
    if (::poll(&ready, 1, 5000) <= 0) return false;
    char chunk[16 * 1024];
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<size_t>(n));
    return true;
  }

  void handle(int fd) {
    std::string buffer;
    size_t end = std::string::npos;
    while ((end = buffer.find("\r\n\r\n")) == std::string::npos) {
      if (!read_more(fd, buffer)) return;
      if (!std::isupper(static_cast<unsigned char>(buffer[0]))) return;  // not HTTP: TLS
    }
    FakeRequest request;
    std::string head = buffer.substr(0, end);
    size_t line_end = head.find("\r\n");
    std::string request_line = head.substr(0, line_end);
    size_t space = request_line.find(' ');
    request.method = request_line.substr(0, space);
    request.target = request_line.substr(space + 1, request_line.rfind(' ') - space - 1);
    size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      size_t next = head.find("\r\n", pos);
      if (next == std::string::npos) next = head.size();
      std::string line = head.substr(pos, next - pos);
      size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        size_t value = line.find_first_not_of(' ', colon + 1);
        request.headers[name] = value == std::string::npos ? "" : line.substr(value);
      }
      pos = next + 2;
    }
    request.body = buffer.substr(end + 4);
    size_t length = std::stoul("0" + request.header("content-length"));
    while (request.body.size() < length) {
      if (!read_more(fd, request.body)) return;
    }
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(request);
    }
    std::string response = handler_(request);
    for (size_t sent = 0; sent < response.size();) {
      ssize_t n = ::send(fd, response.data() + sent, response.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<size_t>(n);
    }
  }

  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_ = false;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<FakeRequest> requests_;
};

}  // namespace schicht::http::testing
