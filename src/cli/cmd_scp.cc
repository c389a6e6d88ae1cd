// image scp: podman's, an image to or from another host's store over ssh (copy/scp.h). The
// local side is this process's own save or load, given one end of a pipe as stdout or stdin;
// the remote side is `schicht load` or `schicht save --format oci-archive` run by ssh.
#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/command_tree.h"
#include "cli/commands.h"
#include "copy/scp.h"
#include "core/error.h"
#include "core/fs.h"
#include "store/lookup.h"

namespace schicht::cli {
namespace {

struct Pipe {
  UniqueFd read;
  UniqueFd write;
};

Pipe make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) fail_errno("pipe", "image scp");
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

// `fd` stands in for `target` (0 or 1) until destroyed; then the original is back.
class Redirect {
 public:
  Redirect(int fd, int target) : target_(target) {
    std::fflush(stdout);
    saved_ = UniqueFd(::fcntl(target, F_DUPFD_CLOEXEC, 3));
    if (saved_.get() < 0 || ::dup2(fd, target) < 0) fail_errno("dup2", "image scp");
  }
  ~Redirect() {
    std::fflush(stdout);
    ::dup2(saved_.get(), target_);
  }
  Redirect(const Redirect&) = delete;
  Redirect& operator=(const Redirect&) = delete;

 private:
  int target_;
  UniqueFd saved_;
};

// A broken pipe (the other side gone) is a write error here, not the end of the process.
struct IgnoreSigpipe {
  IgnoreSigpipe() { previous = std::signal(SIGPIPE, SIG_IGN); }
  ~IgnoreSigpipe() { std::signal(SIGPIPE, previous); }
  void (*previous)(int);
};

struct Remote {
  std::string ssh;      // $SCHICHT_SSH_COMMAND, default "ssh"
  std::string command;  // --remote-command or $SCHICHT_REMOTE_COMMAND, default "schicht"
};

std::vector<std::string> remote_argv(const Remote& remote, const copy::ScpLocation& at,
                                     const std::vector<std::string>& args) {
  std::string line = remote.command;
  for (const std::string& arg : args) line += " " + copy::shell_quote(arg);
  return copy::ssh_argv(at, line, remote.ssh);
}

std::string where(const copy::ScpLocation& at) {
  return fmt::format("ssh {}{}", at.user.empty() ? "" : at.user + "@", at.host);
}

// This store's image to `to`: our save into ssh's stdin, `schicht load` at the other end.
void send(Context& ctx, const Remote& remote, const std::string& image, const copy::ScpLocation& to,
          bool quiet) {
  Digest id = store::resolve_image(ctx.store(), image);
  Pipe pipe = make_pipe();
  std::vector<std::string> load = {"load"};
  if (quiet) load.push_back("-q");
  UniqueFd null(::open("/dev/null", O_WRONLY | O_CLOEXEC));
  pid_t ssh =
      copy::spawn_with(remote_argv(remote, to, load), pipe.read.get(), quiet ? null.get() : -1);
  pipe.read.reset();
  IgnoreSigpipe sigpipe;
  try {
    Redirect out(pipe.write.get(), STDOUT_FILENO);
    std::vector<std::string> save = {"--format", "oci-archive", image};
    run_command(ctx, find_command(top_level_commands(), "save")->spec, save);
  } catch (const Error& e) {
    pipe.write.reset();
    copy::fail_with_other_side(ssh, where(to) + ": load", e);
  }
  pipe.write.reset();
  copy::expect_clean_exit(ssh, where(to) + ": load");
  if (!to.image.empty()) {
    pid_t tag = copy::spawn_with(remote_argv(remote, to, {"tag", id.str(), to.image}), -1, -1);
    copy::expect_clean_exit(tag, where(to) + ": tag");
  }
}

// `from`'s image into this store: `schicht save` there into ssh's stdout, our load from it.
void receive(Context& ctx, const Remote& remote, const copy::ScpLocation& from,
             const std::string& name, bool quiet) {
  Pipe pipe = make_pipe();
  UniqueFd null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  pid_t ssh =
      copy::spawn_with(remote_argv(remote, from, {"save", "--format", "oci-archive", from.image}),
                       null.get(), pipe.write.get());
  pipe.write.reset();
  try {
    Redirect in(pipe.read.get(), STDIN_FILENO);
    std::vector<std::string> load;
    if (quiet) load.push_back("-q");
    UniqueFd devnull(::open("/dev/null", O_WRONLY | O_CLOEXEC));
    if (quiet) {
      Redirect out(devnull.get(), STDOUT_FILENO);
      run_command(ctx, find_command(top_level_commands(), "load")->spec, load);
    } else {
      run_command(ctx, find_command(top_level_commands(), "load")->spec, load);
    }
  } catch (const Error& e) {
    pipe.read.reset();
    copy::fail_with_other_side(ssh, where(from) + ": save", e);
  }
  pipe.read.reset();
  copy::expect_clean_exit(ssh, where(from) + ": save");
  if (!name.empty()) {
    std::vector<std::string> tag = {from.image, name};
    run_command(ctx, find_command(top_level_commands(), "tag")->spec, tag);
  }
}

// Host to host: one ssh's stdout is the other's stdin.
void relay(const Remote& remote, const copy::ScpLocation& from, const copy::ScpLocation& to) {
  Pipe pipe = make_pipe();
  UniqueFd null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  pid_t save =
      copy::spawn_with(remote_argv(remote, from, {"save", "--format", "oci-archive", from.image}),
                       null.get(), pipe.write.get());
  pipe.write.reset();
  pid_t load = copy::spawn_with(remote_argv(remote, to, {"load"}), pipe.read.get(), -1);
  pipe.read.reset();
  try {
    copy::expect_clean_exit(save, where(from) + ": save");
  } catch (const Error& e) {
    copy::fail_with_other_side(load, where(to) + ": load", e);
  }
  copy::expect_clean_exit(load, where(to) + ": load");
  if (!to.image.empty()) {
    pid_t tag = copy::spawn_with(remote_argv(remote, to, {"tag", from.image, to.image}), -1, -1);
    copy::expect_clean_exit(tag, where(to) + ": tag");
  }
}

std::string env_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

}  // namespace

int cmd_image_scp(Context& ctx, ImageScpOptions& parsed, Invocation& invocation) {
  auto& positional = invocation.positional;
  if (positional.empty() || positional.size() > 2) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("requires at least 1 arg(s), only received {}", positional.size()));
  }
  Remote remote{.ssh = env_or("SCHICHT_SSH_COMMAND", "ssh"),
                .command = invocation.flags.changed("remote-command")
                               ? parsed.remote_command
                               : env_or("SCHICHT_REMOTE_COMMAND", "schicht")};
  auto [from, to] = copy::scp_sides(
      positional[0], positional.size() == 2 ? std::optional(positional[1]) : std::nullopt);
  if (!from.remote) {
    send(ctx, remote, from.image, *to, parsed.quiet);
  } else if (!to || !to->remote) {
    receive(ctx, remote, from, to ? to->image : "", parsed.quiet);
  } else {
    relay(remote, from, *to);
  }
  return 0;
}

}  // namespace schicht::cli
