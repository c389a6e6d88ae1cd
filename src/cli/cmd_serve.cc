// serve: the local store over the OCI distribution API, read-only. The flags (parsed by the
// command table) are checked here; the server itself is the schicht-serve executable
// (serve/options.h says why), which this process becomes (exec), so signals and the exit code are
// the server's.
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

int cmd_serve(Context& ctx, ServeCommandOptions& parsed, Invocation& /*invocation*/) {
  serve::ServeOptions options;
  options.access_log = parsed.access_log;
  options.allow = parsed.allow;
  options.cert = parsed.cert;
  options.htpasswd = parsed.htpasswd;
  options.key = parsed.key;
  options.listen = parsed.listen;
  options.mirror_of = parsed.mirror_of;
  options.threads = static_cast<int>(std::clamp<int64_t>(parsed.threads, -1, 1 << 20));
  options.root = fs::absolute(ctx.root());
  serve::validate(options);
  std::string executable = server_executable();
  std::string json = serve::to_json(options);
  execl(executable.c_str(), executable.c_str(), json.c_str(), static_cast<char*>(nullptr));
  fail(ErrorKind::kUnsupported, fmt::format("cannot run {}: {} (it is installed with schicht)",
                                            executable, std::strerror(errno)));
}

}  // namespace schicht::cli
