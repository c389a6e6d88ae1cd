#include "cmdline/help.h"

#include <algorithm>

#include <fmt/format.h>

namespace schicht::cmdline {

std::string command_help(std::string_view usage, const FlagSet& flags, size_t own) {
  std::string out = fmt::format("Usage:\n  {}\n\n", usage);
  if (std::string own_usage = flags.usage(0, own); !own_usage.empty()) {
    out += fmt::format("Flags:\n{}\n", own_usage);
  }
  out += fmt::format("Global Flags:\n{}", flags.usage(own));
  return out;
}

std::string commands_help(std::string_view prefix,
                          const std::map<std::string_view, std::string_view>& commands) {
  std::string out = fmt::format("Usage:\n  {} [options] COMMAND\n\nAvailable Commands:\n", prefix);
  // cobra's layout: names padded to the longest (at least 11), then one space.
  size_t width = 11;
  for (const auto& entry : commands) width = std::max(width, entry.first.size());
  for (const auto& [name, summary] : commands) {
    out += fmt::format("  {:<{}} {}\n", name, width, summary);
  }
  return out;
}

}  // namespace schicht::cmdline
