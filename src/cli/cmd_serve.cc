// serve: the local store over the OCI distribution API, read-only. The flags are parsed and
// checked here; the server itself is the schicht-serve executable (serve/options.h says why),
// which this process becomes (exec), so signals and the exit code are the server's.
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "cli/commands.h"
#include "core/error.h"
#include "core/fs.h"
#include "serve/options.h"

#ifndef SCHICHT_LIBEXECDIR
#define SCHICHT_LIBEXECDIR "/usr/libexec/schicht"
#endif

namespace schicht::cli {
namespace {

// Beside this binary (a build tree), else where the install puts it.
std::string server_executable() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path beside = self.parent_path() / "schicht-serve";
    if (access(beside.c_str(), X_OK) == 0) return beside;
  }
  return std::string(SCHICHT_LIBEXECDIR) + "/schicht-serve";
}

}  // namespace

int cmd_serve(Context& ctx, CommandArgs args) {
  FlagSet flags;
  serve::ServeOptions options;
  int64_t threads = options.threads;
  flags.add_string("access-log", 0, &options.access_log,
                   "Append the access log to this file instead of standard error");
  flags.add_strings("allow", 0, &options.allow,
                    "Serve only repositories matching this shell pattern (repeatable; default: "
                    "all)");
  flags.add_string("cert", 0, &options.cert, "Serve HTTPS with this PEM certificate (with --key)");
  flags.add_string("htpasswd", 0, &options.htpasswd,
                   "Require basic auth from users in this htpasswd file (bcrypt)");
  flags.add_string("key", 0, &options.key, "The PEM private key of --cert");
  flags.add_string("listen", 0, &options.listen,
                   "Address and port to listen on (default \"127.0.0.1:5000\")");
  flags.add_strings("mirror-of", 0, &options.mirror_of,
                    "Also answer REPO for the stored REGISTRY/REPO, as a registries.conf mirror "
                    "of REGISTRY (repeatable)");
  flags.add_int("threads", 0, &threads, "Requests served at once (default 64)");
  bool help = false;
  auto positional = parse_command_flags(ctx, flags, args, "schicht serve [options]", &help);
  if (help) return 0;
  if (!positional.empty())
    fail(ErrorKind::kInvalidInput, fmt::format("accepts 0 arg(s), received {}", positional.size()));
  options.threads = static_cast<int>(std::clamp<int64_t>(threads, -1, 1 << 20));
  options.root = fs::absolute(ctx.root());
  serve::validate(options);
  std::string executable = server_executable();
  std::string json = serve::to_json(options);
  execl(executable.c_str(), executable.c_str(), json.c_str(), static_cast<char*>(nullptr));
  fail(ErrorKind::kUnsupported, fmt::format("cannot run {}: {} (it is installed with schicht)",
                                            executable, std::strerror(errno)));
}

}  // namespace schicht::cli
