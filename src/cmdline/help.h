// --help as cobra prints it: a command's usage line and flags (its own, then the global ones),
// and the list of the commands a group (or the program) has.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "cmdline/flags.h"

namespace schicht::cmdline {

// "Usage:" with `usage`, "Flags:" with the flags of `flags` before index `own` (left out when
// none is shown), then "Global Flags:" with the rest.
std::string command_help(std::string_view usage, const FlagSet& flags, size_t own);

// "Usage:" of `prefix` [options] COMMAND, then "Available Commands:", a name and its summary a
// line, in the map's order.
std::string commands_help(std::string_view prefix,
                          const std::map<std::string_view, std::string_view>& commands);

}  // namespace schicht::cmdline
