// Shell completion, done by the binary itself as cobra does for podman: the scripts that
// `schicht completion bash|zsh|fish` prints call the hidden `schicht __complete WORDS... CUR`,
// which knows the commands, their flags and the store's images, containers and lists.
#pragma once

#include <string>
#include <vector>

#include "cli/context.h"
#include "cmdline/completion.h"

namespace schicht::cli {

using cmdline::Completions;

// `words`: what follows `schicht` on the command line before the word being completed,
// `current`: that word (may be empty).
Completions complete(const std::vector<std::string>& words, const std::string& current);

// `schicht __complete WORDS... CURRENT`: one candidate a line, then ":files" or ":nofiles".
int cmd_complete(Context& ctx, CommandArgs args);
// `schicht __commands`: every command path, a tab, the command it is an alias of, a tab, its
// summary (for the documentation test and the man page aliases).
int cmd_commands(Context& ctx, CommandArgs args);

}  // namespace schicht::cli
