#include "cli/main.h"

#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/context.h"
#include "core/error.h"

namespace schicht::cli {
namespace {

const Command* find(std::span<const Command> table, std::string_view name) {
  for (const auto& c : table) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

void print_commands(std::string_view prefix, std::span<const Command> table) {
  fmt::print("Usage:\n  {} [options] COMMAND\n\nAvailable Commands:\n", prefix);
  for (const auto& c : table) fmt::print("  {:<14}{}\n", c.name, c.summary);
}

int dispatch(Context& ctx, std::vector<std::string> args) {
  // Global flags before the command name; the command parses the rest (globals included).
  FlagSet globals;
  add_global_flags(globals, ctx.mutable_options());
  globals.add_bool("version", 'v', &ctx.mutable_options().version, "Version of schicht");
  globals.set_interspersed(false);
  auto rest = globals.parse(args);
  if (ctx.options().version) return cmd_version(ctx, {});
  if (rest.empty()) {
    print_commands("schicht", top_level_commands());
    return ctx.options().help ? 0 : 125;
  }
  std::span<const Command> table = top_level_commands();
  std::string prefix = "schicht";
  size_t at = 0;
  if (rest[0] == "image" || rest[0] == "system" || rest[0] == "container" ||
      rest[0] == "manifest") {
    table = rest[0] == "image"      ? image_commands()
            : rest[0] == "system"   ? system_commands()
            : rest[0] == "manifest" ? manifest_commands()
                                    : container_commands();
    prefix = "schicht " + rest[0];
    at = 1;
    if (rest.size() == 1) {
      print_commands(prefix, table);
      return ctx.options().help ? 0 : 125;
    }
  }
  const Command* command = find(table, rest[at]);
  if (command == nullptr) {
    fmt::print(stderr,
               "Error: unrecognized command `{} {}`\nTry '{} --help' for more information\n",
               prefix, rest[at], prefix);
    return 125;
  }
  return command->run(ctx, std::span<const std::string>(rest).subspan(at + 1));
}

}  // namespace

int run(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  Context ctx{GlobalOptions{}};
  try {
    return dispatch(ctx, std::move(args));
  } catch (const Error& e) {
    std::fflush(stdout);
    fmt::print(stderr, "Error: {}\n", e.what());
    return 125;
  } catch (const std::exception& e) {
    std::fflush(stdout);
    fmt::print(stderr, "Error: internal error: {}\n", e.what());
    return 125;
  }
}

}  // namespace schicht::cli
