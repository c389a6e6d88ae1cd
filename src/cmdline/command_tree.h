// A program's commands as a tree of data, for dispatch, help, shell completion and
// documentation: tables of named commands, groups of them (`image ...`), commands that dispatch
// on a subcommand of their own (`image trust show`), every runnable command's path and the
// canonical path an alias stands for. Templates over the program's context type
// (command_spec.h), which this library never looks into.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "cmdline/command_spec.h"

namespace schicht::cmdline {

// A command: its name in its table, its summary for the table's --help, and its spec. Entries
// with the same spec are one command under several names.
template <typename Context>
struct Command {
  std::string_view name;
  std::string_view summary;
  CommandSpec<Context> spec;
};

template <typename Context>
struct CommandGroup {
  std::string_view name;
  std::string_view summary;
  std::span<const Command<Context>> (*commands)();
};

// The program's tree: its top-level commands, its groups, and the subcommands a command
// dispatches on itself (empty for ordinary commands; `group` is "" at the top level).
template <typename Context>
struct CommandTree {
  std::span<const Command<Context>> top_level;
  std::span<const CommandGroup<Context>> groups;
  std::span<const Command<Context>> (*nested)(std::string_view group, std::string_view command);
};

template <typename Context>
struct CommandPath {
  std::string path;                  // "image trust show"
  const Command<Context>* command;   // what runs it ("image trust")
  std::vector<std::string> leading;  // arguments that select it within `command` ({"show"})
  std::string canonical;             // the command it is an alias of, else `path`
  const Command<Context>* nested;    // the subcommand `leading` selects ("show"), else null
};

template <typename Context>
const Command<Context>* find_command(std::span<const Command<Context>> table,
                                     std::string_view name) {
  for (const auto& c : table) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

template <typename Context>
const CommandGroup<Context>* find_group(std::span<const CommandGroup<Context>> groups,
                                        std::string_view name) {
  for (const auto& g : groups) {
    if (g.name == name) return &g;
  }
  return nullptr;
}

namespace detail {

template <typename Context>
void add_paths(const CommandTree<Context>& tree, std::vector<CommandPath<Context>>& out,
               std::string_view group, std::span<const Command<Context>> table) {
  for (const auto& c : table) {
    std::string path = group.empty() ? std::string(c.name) : fmt::format("{} {}", group, c.name);
    auto nested = tree.nested(group, c.name);
    if (nested.empty()) {
      out.push_back({path, &c, {}, "", nullptr});
      continue;
    }
    for (const auto& n : nested) {
      out.push_back({fmt::format("{} {}", path, n.name), &c, {std::string(n.name)}, "", &n});
    }
  }
}

inline std::string_view last_word(std::string_view path) {
  size_t space = path.rfind(' ');
  return space == std::string_view::npos ? path : path.substr(space + 1);
}

}  // namespace detail

// Every runnable command: top-level ones, then each group's, nested subcommands included.
// Entries that run the same function with the same leading arguments are one command under
// several names (podman's aliases): the top-level name is the real one, else the longest
// (`image unmount` over `image umount`).
template <typename Context>
std::vector<CommandPath<Context>> all_command_paths(const CommandTree<Context>& tree) {
  std::vector<CommandPath<Context>> out;
  detail::add_paths(tree, out, "", tree.top_level);
  for (const auto& g : tree.groups) detail::add_paths(tree, out, g.name, g.commands());
  for (auto& p : out) {
    const CommandPath<Context>* best = nullptr;
    for (const auto& q : out) {
      if (q.command->spec.run != p.command->spec.run || q.leading != p.leading) continue;
      bool q_top = q.path.find(' ') == std::string::npos;
      if (best == nullptr) {
        best = &q;
        continue;
      }
      bool best_top = best->path.find(' ') == std::string::npos;
      if (q_top != best_top) {
        if (q_top) best = &q;
      } else if (detail::last_word(q.path).size() > detail::last_word(best->path).size()) {
        best = &q;
      }
    }
    p.canonical = best->path;
  }
  return out;
}

}  // namespace schicht::cmdline
