// Shell completion done by the program itself, as cobra does it: the scripts that
// `PROGRAM completion bash|zsh|fish` prints call the hidden `PROGRAM __complete WORDS... CURRENT`,
// whose answer is one candidate a line, then ":files" (the shell should complete file names
// instead) or ":nofiles". The program computes the candidates; this is the protocol and the
// scripts.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "cmdline/flags.h"

namespace schicht::cmdline {

struct Completions {
  std::vector<std::string> candidates;  // each starting with the word being completed
  bool files = false;                   // the shell should complete file names instead
};

// The completion script of `program` for `shell` (bash, zsh, fish); kInvalidInput for any other.
std::string completion_script(std::string_view shell, std::string_view program);

// What `PROGRAM __complete` prints for `completions`.
std::string completion_answer(const Completions& completions);

// The candidates (each with `prefix` put before it) that start with `current`.
Completions matching(const std::set<std::string>& candidates, std::string_view current,
                     std::string_view prefix = "");

// A command's flags as its --help lists them: its own, then the global ones.
struct CommandFlags {
  std::vector<FlagSet::Info> own, global;
};
// The flag named `name`, or with `shorthand` when that is not 0; null when there is none.
const FlagSet::Info* find_flag(const CommandFlags& flags, std::string_view name, char shorthand);
// The flag whose value is the word after `word` (`--name` without `=`, or shorthands `-ab`
// ending in one that takes a value); null when `word` asks for none.
const FlagSet::Info* flag_wanting_value(const CommandFlags& flags, std::string_view word);
// `--name` of each flag, and `-x` of each shorthand unless `current` starts with `--`, that
// start with `current`.
Completions flag_names(const CommandFlags& flags, std::string_view current);

}  // namespace schicht::cmdline
