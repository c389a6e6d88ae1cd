#include "copy/scp.h"

#include <spawn.h>
#include <sys/wait.h>

#include <cctype>
#include <cstring>

#include <fmt/format.h>

#include "core/error.h"
#include "core/process.h"
#include "store/containers_conf.h"

extern char** environ;

namespace schicht::copy {
namespace {

bool plain_word(std::string_view text) {
  if (text.empty() || text.front() == '-') return false;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c)) || std::iscntrl(static_cast<unsigned char>(c)))
      return false;
  }
  return true;
}

}  // namespace

ScpLocation parse_scp_location(std::string_view text) {
  ScpLocation out;
  // "::" ends the host, but not inside an IPv6 address in brackets.
  size_t from = 0;
  if (size_t open = text.find('['); open != std::string_view::npos && open < text.find("::")) {
    if (size_t close = text.find(']', open); close != std::string_view::npos) from = close;
  }
  size_t sep = text.find("::", from);
  if (sep == std::string_view::npos) {
    if (text.empty()) fail(ErrorKind::kInvalidInput, "image scp: an empty image name");
    out.image = std::string(text);
    return out;
  }
  out.remote = true;
  std::string_view host = text.substr(0, sep);
  out.image = std::string(text.substr(sep + 2));
  if (size_t at = host.rfind('@'); at != std::string_view::npos) {
    out.user = std::string(host.substr(0, at));
    host = host.substr(at + 1);
    if (!plain_word(out.user)) {
      fail(ErrorKind::kInvalidInput, fmt::format("image scp: {:?}: invalid user name", text));
    }
  }
  // HOST:PORT, but not an IPv6 address ("[::1]:22" or a bare "::1" keeps its colons).
  size_t colon = host.rfind(':');
  bool bracketed = !host.empty() && host.front() == '[';
  if (colon != std::string_view::npos &&
      (bracketed ? host[colon - 1] == ']' : host.find(':') == colon)) {
    out.port = std::string(host.substr(colon + 1));
    host = host.substr(0, colon);
    if (out.port.empty() || out.port.size() > 5 ||
        out.port.find_first_not_of("0123456789") != std::string::npos) {
      fail(ErrorKind::kInvalidInput, fmt::format("image scp: {:?}: invalid port", text));
    }
  }
  if (bracketed && host.size() >= 2 && host.back() == ']') host = host.substr(1, host.size() - 2);
  out.host = std::string(host);
  if (!plain_word(out.host)) {
    fail(ErrorKind::kInvalidInput, fmt::format("image scp: {:?}: invalid host name", text));
  }
  return out;
}

void apply_connection(ScpLocation& at, const std::string& uri, const std::string& identity) {
  std::string_view rest = uri;
  if (!rest.starts_with("ssh://")) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("connection {:?}: {:?} is not an ssh:// URI", at.host, uri));
  }
  rest.remove_prefix(6);
  rest = rest.substr(0, rest.find('/'));
  ScpLocation from_uri = parse_scp_location(std::string(rest) + "::");
  at.user = from_uri.user;
  at.host = from_uri.host;
  at.port = from_uri.port;
  at.identity = identity;
}

std::string shell_quote(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::vector<std::string> ssh_argv(const ScpLocation& at, const std::string& remote_command,
                                  std::string_view ssh_program) {
  std::vector<std::string> argv;
  size_t start = 0;
  while (start < ssh_program.size()) {
    size_t end = ssh_program.find(' ', start);
    if (end == std::string_view::npos) end = ssh_program.size();
    if (end > start) argv.emplace_back(ssh_program.substr(start, end - start));
    start = end + 1;
  }
  if (argv.empty()) argv.emplace_back("ssh");
  if (!at.port.empty()) argv.insert(argv.end(), {"-p", at.port});
  if (!at.user.empty()) argv.insert(argv.end(), {"-l", at.user});
  if (!at.identity.empty()) argv.insert(argv.end(), {"-i", at.identity});
  // `--` ends ssh's options: the host and the command are never read as one.
  argv.insert(argv.end(), {"--", at.host, remote_command});
  return argv;
}

pid_t spawn_with(const std::vector<std::string>& argv, int stdin_fd, int stdout_fd) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (stdin_fd >= 0) posix_spawn_file_actions_adddup2(&actions, stdin_fd, 0);
  if (stdout_fd >= 0) posix_spawn_file_actions_adddup2(&actions, stdout_fd, 1);
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    fail(ErrorKind::kNotFound, fmt::format("running {}: {}", argv[0], std::strerror(rc)));
  }
  return pid;
}

namespace {

// Empty for a clean exit.
std::string exit_problem(int status) {
  if (WIFEXITED(status)) {
    return WEXITSTATUS(status) == 0 ? ""
                                    : fmt::format("exited with status {}", WEXITSTATUS(status));
  }
  return fmt::format("killed by signal {}", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

}  // namespace

void expect_clean_exit(pid_t pid, const std::string& what) {
  std::string problem = exit_problem(wait_for(pid));
  if (!problem.empty()) fail(ErrorKind::kNetwork, fmt::format("{}: {}", what, problem));
}

void fail_with_other_side(pid_t pid, const std::string& what, const Error& here) {
  std::string problem = exit_problem(wait_for(pid));
  if (problem.empty()) throw here;
  // An archive that never came (or stopped) is the other side's failure alone.
  std::string_view local = here.what();
  if (local.find("not a tar archive") != std::string_view::npos ||
      local.find("unexpected end") != std::string_view::npos) {
    fail(ErrorKind::kNetwork, fmt::format("{}: {}", what, problem));
  }
  fail(here.kind(), fmt::format("{}: {}; here: {}", what, problem, local));
}

ScpSides scp_sides(const std::string& from_text, const std::optional<std::string>& to_text) {
  ScpSides sides{.from = parse_scp_location(from_text)};
  ScpLocation& from = sides.from;
  std::optional<ScpLocation>& to = sides.to;
  if (to_text) to = parse_scp_location(*to_text);
  // Connection names (podman system connection) first, then plain hosts.
  if (from.remote || (to && to->remote)) {
    store::EngineConf conf = store::load_engine_conf();
    for (ScpLocation* at : {&from, to ? &*to : nullptr}) {
      if (at == nullptr || !at->remote || !at->user.empty() || !at->port.empty()) continue;
      auto found = conf.service_destinations.find(at->host);
      if (found != conf.service_destinations.end()) {
        apply_connection(*at, found->second.uri, found->second.identity);
      }
    }
  }
  if (from.remote && from.image.empty()) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("image scp: {:?}: no image named after \"::\"", from_text));
  }
  if (!from.remote && (!to || !to->remote)) {
    fail(ErrorKind::kInvalidInput,
         "image scp: one side must be a remote HOST:: (a copy within this store is `tag`)");
  }
  return sides;
}

}  // namespace schicht::copy
