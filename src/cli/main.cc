#include "cli/main.h"

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/command_tree.h"
#include "cli/commands.h"
#include "cli/completion.h"
#include "cli/context.h"
#include "cmdline/help.h"
#include "core/error.h"
#include "core/exception.h"

namespace schicht::cli {
namespace {

void print_commands(std::string_view prefix, std::span<const Command> table) {
  std::map<std::string_view, std::string_view> listed;
  for (const auto& c : table) listed.emplace(c.name, c.summary);
  if (prefix == "schicht") {
    for (const auto& g : command_groups()) listed.emplace(g.name, g.summary);
  }
  fmt::print("{}", cmdline::commands_help(prefix, listed));
}

int dispatch(Context& ctx, std::vector<std::string> args) {
  // Global flags before the command name; the command parses the rest (globals included).
  FlagSet globals;
  add_global_flags(globals, ctx.mutable_options());
  globals.add_bool("version", 'v', &ctx.mutable_options().version, "Version of schicht");
  globals.set_interspersed(false);
  auto rest = globals.parse(args);
  if (ctx.options().version) {
    fmt::print("schicht version {}\n", SCHICHT_VERSION);  // podman --version's one line
    return 0;
  }
  if (rest.empty()) {
    print_commands("schicht", top_level_commands());
    return ctx.options().help ? 0 : 125;
  }
  // Hidden helpers of the completion scripts and the documentation test.
  if (rest[0] == "__complete") return cmd_complete(ctx, CommandArgs(rest).subspan(1));
  if (rest[0] == "__commands") return cmd_commands(ctx, {});
  // `schicht help CMD...` is `schicht CMD... --help`.
  if (rest[0] == "help") {
    rest.erase(rest.begin());
    if (rest.empty()) {
      print_commands("schicht", top_level_commands());
      return 0;
    }
    rest.push_back("--help");
  }
  std::span<const Command> table = top_level_commands();
  std::string prefix = "schicht";
  size_t at = 0;
  if (const CommandGroup* group = find_group(rest[0]); group != nullptr) {
    table = group->commands();
    prefix = "schicht " + rest[0];
    at = 1;
    bool help = rest.size() > 1 && (rest[1] == "--help" || rest[1] == "-h");
    if (rest.size() == 1 || help) {
      print_commands(prefix, table);
      return ctx.options().help || help ? 0 : 125;
    }
  }
  const Command* command = find_command(table, rest[at]);
  if (command == nullptr) {
    fmt::print(stderr,
               "Error: unrecognized command `{} {}`\nTry '{} --help' for more information\n",
               prefix, rest[at], prefix);
    return 125;
  }
  return run_command(ctx, command->spec, std::span<const std::string>(rest).subspan(at + 1));
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
  } catch (...) {
    // Never a library's text: what it stands for (out of memory, a file error), or a bug.
    std::fflush(stdout);
    fmt::print(stderr, "Error: {}\n", error_from(std::current_exception()).what());
    return 125;
  }
}

}  // namespace schicht::cli
