// `PROGRAM __complete WORDS... CURRENT` over a program's command tree (command_tree.h): the
// words typed so far select a group, a command and a nested subcommand, skipping flags and
// their values (after `--` every word is an argument; `help` at the top level is followed by
// command names only); then the word being completed is a flag's value, a flag, a command's
// name or an argument. The program says what each command's flags are, what a flag's values
// are, and what the candidates for each kind of argument (CommandSpec::kinds) are.
#pragma once

#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cmdline/command_tree.h"
#include "cmdline/completion.h"

namespace schicht::cmdline {

template <typename Context>
struct CompletionSource {
  CommandTree<Context> tree;
  CommandFlags (*global_flags)();  // the flags before a command is chosen
  CommandFlags (*command_flags)(const CommandPath<Context>& command);
  // The values of `flag` of the command at `path` (its canonical path), not yet matched to the
  // word; `files` when they are file names.
  Completions (*flag_values)(std::string_view path, std::string_view flag);
  // The candidates for an argument of `kind` (neither 'f' nor '-'), not yet matched to
  // `current`; `words` are those typed before it.
  Completions (*arguments)(char kind, const std::vector<std::string>& words,
                           const std::string& current);
};

namespace detail {

template <typename Context>
struct Walk {
  std::span<const Command<Context>> table;
  bool top = true;    // still at the top level (groups and `help` are offered)
  bool help = false;  // `PROGRAM help ...`: only command names follow
  std::string group;  // "image" once `image` was typed
  const Command<Context>* command = nullptr;
  std::span<const Command<Context>> nested;  // subcommands to dispatch on, not chosen yet
  std::string path;                          // the chosen command's canonical path
  std::string_view kinds;                    // what its arguments are (CommandSpec::kinds)
  CommandFlags flags;                        // its flags, or the global ones before it is chosen
  std::vector<std::string> positional;
  std::string pending_flag;  // the last word is a flag that wants the current word as value
};

template <typename Context>
void choose(const CompletionSource<Context>& source, Walk<Context>& walk,
            const Command<Context>& command, const std::vector<std::string>& leading,
            std::string_view kinds) {
  walk.command = &command;
  walk.kinds = kinds;
  for (const auto& p : all_command_paths(source.tree)) {
    if (p.command == &command && p.leading == leading) {
      walk.path = p.canonical;
      walk.flags = source.command_flags(p);
      return;
    }
  }
}

// Consumes a flag word (and its value when it is the next word); returns how many words.
template <typename Context>
size_t skip_flag(Walk<Context>& walk, const std::vector<std::string>& words, size_t i) {
  const FlagSet::Info* needs_value = flag_wanting_value(walk.flags, words[i]);
  if (needs_value == nullptr) return 1;
  if (i + 1 < words.size()) return 2;
  walk.pending_flag = needs_value->name;
  return 1;
}

// Returns false when the words name no command the program has (nothing to complete then).
template <typename Context>
bool walk_words(const CompletionSource<Context>& source, Walk<Context>& walk,
                const std::vector<std::string>& words) {
  walk.table = source.tree.top_level;
  walk.flags = source.global_flags();
  bool flags_done = false;
  for (size_t i = 0; i < words.size();) {
    const std::string& w = words[i];
    if (!flags_done && w == "--") {
      flags_done = true;
      ++i;
      continue;
    }
    if (!flags_done && w.size() > 1 && w[0] == '-') {
      i += skip_flag(walk, words, i);
      continue;
    }
    ++i;
    if (walk.command == nullptr) {
      if (walk.top && w == "help") {
        walk.help = true;
        continue;
      }
      const CommandGroup<Context>* group = walk.top ? find_group(source.tree.groups, w) : nullptr;
      if (group != nullptr) {
        walk.table = group->commands();
        walk.group = w;
        walk.top = false;
        continue;
      }
      const Command<Context>* c = find_command(walk.table, w);
      if (c == nullptr) return false;
      walk.nested = source.tree.nested(walk.group, c->name);
      if (walk.nested.empty()) {
        choose(source, walk, *c, {}, c->spec.kinds);
      } else {
        walk.command = c;
      }
      continue;
    }
    if (!walk.nested.empty()) {
      const Command<Context>* n = find_command(walk.nested, w);
      if (n == nullptr) return false;
      choose(source, walk, *walk.command, {w}, n->spec.kinds);
      walk.nested = {};
      continue;
    }
    walk.positional.push_back(w);
  }
  return true;
}

template <typename Context>
std::set<std::string> names_of(std::span<const Command<Context>> table) {
  std::set<std::string> out;
  for (const auto& c : table) out.insert(std::string(c.name));
  return out;
}

inline Completions matching_all(const Completions& found, std::string_view current,
                                std::string_view prefix = "") {
  if (found.files) return Completions{{}, true};
  return matching(std::set<std::string>(found.candidates.begin(), found.candidates.end()), current,
                  prefix);
}

template <typename Context>
Completions complete_argument(const CompletionSource<Context>& source, const Walk<Context>& walk,
                              const std::vector<std::string>& words, const std::string& current) {
  if (walk.kinds.empty()) return Completions{{}, true};
  std::string_view kinds = walk.kinds;
  size_t at = walk.positional.size();
  char kind = '-';
  if (at < kinds.size() && kinds[at] != '*') {
    kind = kinds[at];
  } else if (kinds.ends_with('*')) {
    kind = kinds[kinds.size() - 2];
  }
  if (kind == 'f') return Completions{{}, true};
  if (kind == '-') return {};
  return matching_all(source.arguments(kind, words, current), current);
}

}  // namespace detail

// `words`: what follows the program's name before the word being completed, `current`: that
// word (may be empty).
template <typename Context>
Completions complete(const CompletionSource<Context>& source, const std::vector<std::string>& words,
                     const std::string& current) {
  detail::Walk<Context> walk;
  if (!detail::walk_words(source, walk, words)) return {};
  if (!walk.pending_flag.empty()) {
    return detail::matching_all(source.flag_values(walk.path, walk.pending_flag), current);
  }
  if (current.size() > 2 && current.starts_with("--")) {
    if (size_t eq = current.find('='); eq != std::string::npos) {
      return detail::matching_all(source.flag_values(walk.path, current.substr(2, eq - 2)), current,
                                  current.substr(0, eq + 1));
    }
  }
  if (!current.empty() && current[0] == '-') return flag_names(walk.flags, current);
  if (walk.command == nullptr) {
    std::set<std::string> names = detail::names_of(walk.table);
    if (walk.top) {
      for (const auto& g : source.tree.groups) names.insert(std::string(g.name));
      if (!walk.help) names.insert("help");
    }
    return matching(names, current);
  }
  if (!walk.nested.empty()) return matching(detail::names_of(walk.nested), current);
  if (walk.help) return {};
  return detail::complete_argument(source, walk, words, current);
}

}  // namespace schicht::cmdline
