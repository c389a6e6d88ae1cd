#include "cli/command_tree.h"

#include <array>

#include "cli/commands.h"

namespace schicht::cli {

std::span<const CommandGroup> command_groups() {
  static constexpr std::array kGroups = {
      CommandGroup{"artifact", "Manage OCI artifacts", artifact_commands},
      CommandGroup{"container", "Manage containers", container_commands},
      CommandGroup{"image", "Manage images", image_commands},
      CommandGroup{"manifest", "Manipulate manifest lists and image indexes", manifest_commands},
      CommandGroup{"system", "Manage schicht", system_commands},
  };
  return kGroups;
}

const CommandGroup* find_group(std::string_view name) {
  for (const auto& g : command_groups()) {
    if (g.name == name) return &g;
  }
  return nullptr;
}

std::span<const Command> nested_commands(std::string_view group, std::string_view command) {
  // cmd_image_trust runs them all: the subcommand is its first argument.
  if (group == "image" && command == "trust") return image_trust_commands();
  return {};
}

std::vector<CommandPath> all_command_paths() {
  return cmdline::all_command_paths(
      cmdline::CommandTree<Context>{top_level_commands(), command_groups(), &nested_commands});
}

CommandFlags command_flags(const CommandPath& command) {
  const CommandSpec& spec = (command.nested != nullptr ? command.nested : command.command)->spec;
  FlagSet flags;
  for (const FlagGroup& group : spec.flags) {
    for (const FlagSpec& flag : group.flags) flags.add(flag, nullptr);
  }
  GlobalOptions globals;
  size_t own = flags.size();
  add_global_flags(flags, globals);
  return CommandFlags{flags.visible(0, own), flags.visible(own)};
}

}  // namespace schicht::cli
