// unshare: a shell or command inside the user namespace rootless schicht works in (the caller
// is root there, the store's mapped ids are its own), as podman's `unshare`. As root there is
// nothing to enter: podman refuses, and so does this.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

#include "builder/id_map.h"
#include "builder/unshare.h"
#include "cli/commands.h"
#include "core/error.h"
#include "core/fs.h"

namespace schicht::cli {

int cmd_unshare(Context& ctx, UnshareOptions& parsed, Invocation& invocation) {
  auto& [rootless_netns] = parsed;
  auto& command = invocation.positional;
  const builder::IdMapping* mapping = builder::rootless_mapping();
  if (mapping == nullptr) fail(ErrorKind::kInvalidInput, "please use unshare with rootless");
  if (rootless_netns) {
    // podman joins the namespace its rootless container networks live in; schicht runs no
    // containers and has none.
    fail(ErrorKind::kUnsupported,
         "--rootless-netns: schicht has no rootless network namespace (it runs no containers)");
  }
  if (command.empty()) {
    const char* shell = std::getenv("SHELL");
    if (shell == nullptr || *shell == '\0') {
      fail(ErrorKind::kInvalidInput, "no command specified and no $SHELL specified");
    }
    command.push_back(shell);
  }
  std::vector<std::pair<std::string, std::string>> env = {
      {"CONTAINERS_GRAPHROOT", fs::absolute(ctx.root()).lexically_normal().string()},
      {"_CONTAINERS_USERNS_CONFIGURED", "done"},
      {"_CONTAINERS_ROOTLESS_UID", std::to_string(::getuid())},
      {"_CONTAINERS_ROOTLESS_GID", std::to_string(::getgid())}};
  if (!ctx.options().runroot.empty()) {
    env.emplace_back("CONTAINERS_RUNROOT",
                     fs::absolute(ctx.options().runroot).lexically_normal().string());
  }
  std::fflush(stdout);
  builder::Unshared result = builder::run_in_user_namespace(*mapping, command, env);
  if (!result.start_error.empty()) fmt::print(stderr, "Error: {}\n", result.start_error);
  return result.exit_code;
}

}  // namespace schicht::cli
