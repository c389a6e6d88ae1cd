#include "cli/command_tree.h"

#include <array>

#include <fmt/format.h>

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

const Command* find_command(std::span<const Command> table, std::string_view name) {
  for (const auto& c : table) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::span<const Command> nested_commands(std::string_view group, std::string_view command) {
  // cmd_image_trust runs them all: the subcommand is its first argument.
  if (group == "image" && command == "trust") return image_trust_commands();
  return {};
}

namespace {

void add_paths(std::vector<CommandPath>& out, std::string_view group,
               std::span<const Command> table) {
  for (const auto& c : table) {
    std::string path = group.empty() ? std::string(c.name) : fmt::format("{} {}", group, c.name);
    auto nested = nested_commands(group, c.name);
    if (nested.empty()) {
      out.push_back({path, &c, {}, "", nullptr});
      continue;
    }
    for (const auto& n : nested) {
      out.push_back({fmt::format("{} {}", path, n.name), &c, {std::string(n.name)}, "", &n});
    }
  }
}

std::string_view last_word(std::string_view path) {
  size_t space = path.rfind(' ');
  return space == std::string_view::npos ? path : path.substr(space + 1);
}

bool same_command(const Command& a, const Command& b) {
  return a.spec.run == b.spec.run;
}

}  // namespace

std::vector<CommandPath> all_command_paths() {
  std::vector<CommandPath> out;
  add_paths(out, "", top_level_commands());
  for (const auto& g : command_groups()) add_paths(out, g.name, g.commands());
  // Entries that run the same function with the same arguments are one command under several
  // names (podman's aliases): the top-level name is the real one, else the longest
  // (`image unmount` over `image umount`).
  for (auto& p : out) {
    const CommandPath* best = nullptr;
    for (const auto& q : out) {
      if (!same_command(*q.command, *p.command) || q.leading != p.leading) continue;
      bool q_top = q.path.find(' ') == std::string::npos;
      if (best == nullptr) {
        best = &q;
        continue;
      }
      bool best_top = best->path.find(' ') == std::string::npos;
      if (q_top != best_top) {
        if (q_top) best = &q;
      } else if (last_word(q.path).size() > last_word(best->path).size()) {
        best = &q;
      }
    }
    p.canonical = best->path;
  }
  return out;
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
