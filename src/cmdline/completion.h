// Shell completion done by the program itself, as cobra does it: the scripts that
// `PROGRAM completion bash|zsh|fish` prints call the hidden `PROGRAM __complete WORDS... CURRENT`,
// whose answer is one candidate a line, then ":files" (the shell should complete file names
// instead) or ":nofiles". The program computes the candidates; this is the protocol and the
// scripts.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace schicht::cmdline {

struct Completions {
  std::vector<std::string> candidates;  // each starting with the word being completed
  bool files = false;                   // the shell should complete file names instead
};

// The completion script of `program` for `shell` (bash, zsh, fish); kInvalidInput for any other.
std::string completion_script(std::string_view shell, std::string_view program);

// What `PROGRAM __complete` prints for `completions`.
std::string completion_answer(const Completions& completions);

}  // namespace schicht::cmdline
