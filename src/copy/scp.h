// image scp: podman's `image scp`, an image between this store and another host's, as an
// oci-archive streamed through `ssh HOST schicht load` or `ssh HOST schicht save` (so the manifest
// goes byte-exact and keeps its digest; podman's scp goes through docker-archive and gets a new
// one). This module parses the locations and runs ssh; the CLI saves and loads.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace schicht::copy {

// One side of `image scp`: "IMAGE" (this store) or "[USER@]HOST[:PORT]::[IMAGE]".
struct ScpLocation {
  bool remote = false;
  std::string user;
  std::string host;
  std::string port;
  std::string image;     // may be empty for a remote destination
  std::string identity;  // ssh -i, from a connection's identity
};

// A location whose host is a connection name of containers.conf (and names no user or port):
// its uri ("ssh://[user@]host[:port][/socket]") gives user, host and port, its identity file
// the key. kInvalidInput for a uri that is not ssh://.
void apply_connection(ScpLocation& at, const std::string& uri, const std::string& identity);

// kInvalidInput for an empty host or image, a host or user that could be read as an ssh option,
// or a port that is not a number.
ScpLocation parse_scp_location(std::string_view text);

// The two sides of `image scp` as typed (`to_text` nullopt when only one is given), each
// parsed and, when remote with neither user nor port, its host looked up among the connection
// names of containers.conf (service_destinations). kInvalidInput when a remote source names no
// image or neither side is remote (a copy within this store is `tag`).
struct ScpSides {
  ScpLocation from;
  std::optional<ScpLocation> to;
};
ScpSides scp_sides(const std::string& from_text, const std::optional<std::string>& to_text);

// `text` in single quotes for a POSIX shell (the remote side runs the command through one).
std::string shell_quote(std::string_view text);

// The argv that runs `remote_command` (a shell command line) at `at` through `ssh_program`
// (split at spaces: "ssh -F config"; empty: "ssh").
std::vector<std::string> ssh_argv(const ScpLocation& at, const std::string& remote_command,
                                  std::string_view ssh_program);

// A child running `argv` (searched in PATH) with `stdin_fd`/`stdout_fd` as its stdin and
// stdout (-1: this process's own); the fds are not closed here. kNotFound when it cannot be run.
pid_t spawn_with(const std::vector<std::string>& argv, int stdin_fd, int stdout_fd);

// Waits for `pid`; kNetwork naming `what` and the status unless it exited with 0.
void expect_clean_exit(pid_t pid, const std::string& what);

// After `here` failed this side of the pipe: waits for `pid`, then throws `here`, with the
// other side's failure added when it failed too (either may be the cause: a remote that died
// cuts the archive here, a local refusal breaks the remote's pipe).
[[noreturn]] void fail_with_other_side(pid_t pid, const std::string& what, const Error& here);

}  // namespace schicht::copy
