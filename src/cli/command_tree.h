// The whole command tree as data, for help, shell completion and the documentation test:
// the groups (`image`, `system`, ...), the commands that dispatch on a subcommand of their own
// (`image trust show|set|explain`), every command's path and the canonical command an alias
// stands for, and a command's flags (from its spec, a nested subcommand's from its own).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cli/context.h"
#include "cmdline/completion.h"

namespace schicht::cli {

using cmdline::CommandFlags;

struct CommandGroup {
  std::string_view name;
  std::string_view summary;
  std::span<const Command> (*commands)();
};

// `schicht image|system|container|manifest ...`.
std::span<const CommandGroup> command_groups();
const CommandGroup* find_group(std::string_view name);
const Command* find_command(std::span<const Command> table, std::string_view name);

// Subcommands a command dispatches on itself (its first argument), e.g. `image trust show`;
// empty for ordinary commands. `group` is "" for top-level commands.
std::span<const Command> nested_commands(std::string_view group, std::string_view command);

struct CommandPath {
  std::string path;                  // "image trust show"
  const Command* command;            // what runs it ("image trust")
  std::vector<std::string> leading;  // arguments that select it within `command` ({"show"})
  std::string canonical;             // the command it is an alias of, else `path`
  const Command* nested;             // the subcommand `leading` selects ("show"), else null
};

// Every runnable command: top-level ones, then each group's, nested subcommands included.
std::vector<CommandPath> all_command_paths();

CommandFlags command_flags(const CommandPath& command);

}  // namespace schicht::cli
