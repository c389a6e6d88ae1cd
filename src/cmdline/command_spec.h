// A command as data: its usage line, cobra's rule for its positional arguments, what those
// arguments are (for shell completion), and its flags bound to the members of an options
// struct. Parsing, `--help`, shell completion and the documentation test all read it. Plain
// aggregates of string_views and function pointers, so that the tables are constant data:
// nothing is built at startup. `Context` is what the program hands every command it runs; this
// library never looks into it.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace schicht::cmdline {

enum class FlagType : uint8_t {
  kBool,
  kString,
  kStrings,
  kInt,
  kUint,
  kIgnoredBool,
  kIgnoredValue
};

struct FlagSpec {
  std::string_view name;
  char shorthand;
  FlagType type;
  std::string_view help;          // empty: accepted, not shown (podman's ignored flags)
  void* (*field)(void* options);  // the member the flag sets; null for ignored flags
};

// Flags bound to a part of the options (a shared group such as RegistryFlags); `part` finds
// it in the command's options, null for the options themselves.
struct FlagGroup {
  std::span<const FlagSpec> flags;
  void* (*part)(void* options) = nullptr;
};

// cobra's positional-argument checks, with its messages: ExactArgs ("accepts 1 arg(s),
// received 2"), MinimumNArgs ("requires at least 1 arg(s), only received 0"), MaximumNArgs
// ("accepts at most 1 arg(s), received 2"), RangeArgs ("accepts between 1 and 2 arg(s),
// received 3"). kAny: the command checks them itself, if at all.
struct ArgRule {
  enum class Check : uint8_t { kAny, kExact, kMin, kMax, kRange };
  Check check = Check::kAny;
  uint8_t min = 0;
  uint8_t max = 0;
};
constexpr ArgRule any_args() {
  return {};
}
constexpr ArgRule exact_args(uint8_t n) {
  return {ArgRule::Check::kExact, n, n};
}
constexpr ArgRule min_args(uint8_t n) {
  return {ArgRule::Check::kMin, n, 0};
}
constexpr ArgRule max_args(uint8_t n) {
  return {ArgRule::Check::kMax, 0, n};
}
constexpr ArgRule range_args(uint8_t min, uint8_t max) {
  return {ArgRule::Check::kRange, min, max};
}

template <typename Context>
struct CommandSpec {
  std::string_view usage;  // "schicht rmi [options] IMAGE [IMAGE...]"
  ArgRule args;
  // What each positional argument is, for completion: one letter a position, a trailing '*'
  // repeats the last. The program gives the letters their meaning (what to offer), except
  // f: file names, -: nothing to offer. Empty: file names.
  std::string_view kinds;
  std::span<const FlagGroup> flags;
  // Stop parsing flags at the first positional argument (what follows is another command's).
  bool interspersed = true;
  // Parses `args` by this spec into the command's options and runs it. A command that only
  // dispatches on its first argument to subcommands of its own parses nothing itself.
  int (*run)(Context& ctx, const CommandSpec& spec, std::span<const std::string> args);
};

}  // namespace schicht::cmdline
