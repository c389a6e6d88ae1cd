// Runs Debian's docker-registry (distribution 2.x) on 127.0.0.1 for the registry client tests:
// filesystem storage in a temp dir, optionally htpasswd Basic auth (bcrypt via libcrypt) and
// TLS (certificates made with the openssl command). The process is stopped and reaped when the
// RegistryServer is destroyed.
#pragma once

#include <arpa/inet.h>
#include <crypt.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include <fmt/format.h>

#include "core/fs.h"

extern char** environ;

namespace schicht::registry::testing {

inline std::string find_program(std::string_view name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t colon = dirs.find(':', start);
    fs::path candidate = fs::path(dirs.substr(start, colon - start)) / std::string(name);
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return "";
}

// "user:$2b$05$..." as htpasswd -B writes it.
inline std::string htpasswd_line(const std::string& user, const std::string& password) {
  char* salt = crypt_gensalt_ra("$2b$", 5, nullptr, 0);
  if (salt == nullptr) throw std::runtime_error("crypt_gensalt_ra failed");
  auto data = std::make_unique<crypt_data>();
  const char* hash = crypt_r(password.c_str(), salt, data.get());
  std::free(salt);
  if (hash == nullptr || hash[0] != '$') throw std::runtime_error("bcrypt failed");
  return user + ":" + hash + "\n";
}

inline int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

inline bool port_open(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  bool open = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return open;
}

inline int run(const std::string& command) {
  return std::system(command.c_str());
}

// A CA and a server certificate for 127.0.0.1 and a client certificate, all signed by the CA.
struct TestCertificates {
  fs::path ca_cert, server_cert, server_key, client_cert, client_key;

  static bool make(const fs::path& dir, TestCertificates& out) {
    std::string d = dir.string();
    std::string quiet = " >/dev/null 2>&1";
    std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    write_file_atomic(dir / "server.ext", "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    bool ok = run(fmt::format("openssl req -x509 {} -keyout {}/ca.key -out {}/ca.crt -days 2 "
                              "-subj /CN=schicht-test-ca{}",
                              ec, d, d, quiet)) == 0 &&
              run(fmt::format("openssl req {} -keyout {}/server.key -out {}/server.csr "
                              "-subj /CN=127.0.0.1{}",
                              ec, d, d, quiet)) == 0 &&
              run(fmt::format("openssl x509 -req -in {}/server.csr -CA {}/ca.crt -CAkey {}/ca.key "
                              "-CAcreateserial -out {}/server.crt -days 2 -extfile {}/server.ext{}",
                              d, d, d, d, d, quiet)) == 0 &&
              run(fmt::format("openssl req {} -keyout {}/client.key -out {}/client.csr "
                              "-subj /CN=schicht-test-client{}",
                              ec, d, d, quiet)) == 0 &&
              run(fmt::format("openssl x509 -req -in {}/client.csr -CA {}/ca.crt -CAkey {}/ca.key "
                              "-CAcreateserial -out {}/client.crt -days 2{}",
                              d, d, d, d, quiet)) == 0;
    out = {dir / "ca.crt", dir / "server.crt", dir / "server.key", dir / "client.crt",
           dir / "client.key"};
    return ok;
  }
};

struct RegistryServerOptions {
  std::string htpasswd;  // file content; empty: no authentication
  const TestCertificates* tls = nullptr;
  bool require_client_certificate = false;
};

class RegistryServer {
 public:
  using Options = RegistryServerOptions;

  static std::string binary() { return find_program("docker-registry"); }

  explicit RegistryServer(Options options = {}) : dir_(temp_root(), "schicht-registry") {
    port_ = free_port();
    std::string config = fmt::format(R"(version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: {}/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:{}
  secret: schicht-test-secret
)",
                                     dir_.path().string(), port_);
    if (options.tls != nullptr) {
      config += fmt::format("  tls:\n    certificate: {}\n    key: {}\n",
                            options.tls->server_cert.string(), options.tls->server_key.string());
      if (options.require_client_certificate) {
        config += fmt::format("    clientcas:\n      - {}\n", options.tls->ca_cert.string());
      }
    }
    if (!options.htpasswd.empty()) {
      write_file_atomic(dir_.path() / "htpasswd", options.htpasswd);
      config += fmt::format("auth:\n  htpasswd:\n    realm: schicht-test\n    path: {}/htpasswd\n",
                            dir_.path().string());
    }
    write_file_atomic(dir_.path() / "config.yml", config);
    start();
  }

  ~RegistryServer() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }

  RegistryServer(const RegistryServer&) = delete;
  RegistryServer& operator=(const RegistryServer&) = delete;

  std::string host() const { return fmt::format("127.0.0.1:{}", port_); }
  std::string log() const { return read_file(dir_.path() / "registry.log"); }

 private:
  void start() {
    std::string program = binary();
    std::string config = (dir_.path() / "config.yml").string();
    std::string log_path = (dir_.path() / "registry.log").string();
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    std::string serve = "serve";
    char* argv[] = {program.data(), serve.data(), config.data(), nullptr};
    int rc = posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot start docker-registry");
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!port_open(port_)) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("docker-registry exited: " + log());
      }
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
        throw std::runtime_error("docker-registry did not start: " + log());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  TempDir dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace schicht::registry::testing
