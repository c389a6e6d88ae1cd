// schicht's command tree (cmdline/command_tree.h) for help, shell completion and the
// documentation test: the groups (`image`, `system`, ...), the commands that dispatch on a
// subcommand of their own (`image trust show|set|explain`), every command's path and the
// canonical command an alias stands for, and a command's flags (from its spec, a nested
// subcommand's from its own).
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

using CommandGroup = cmdline::CommandGroup<Context>;
using CommandPath = cmdline::CommandPath<Context>;

// `schicht image|system|container|manifest ...`.
std::span<const CommandGroup> command_groups();
const CommandGroup* find_group(std::string_view name);

// Subcommands a command dispatches on itself (its first argument), e.g. `image trust show`;
// empty for ordinary commands. `group` is "" for top-level commands.
std::span<const Command> nested_commands(std::string_view group, std::string_view command);

// Every runnable command: top-level ones, then each group's, nested subcommands included.
std::vector<CommandPath> all_command_paths();

// A command's flags as its --help lists them: its own, then the global ones.
CommandFlags command_flags(const CommandPath& command);

}  // namespace schicht::cli
