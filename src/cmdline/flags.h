// Command-line flags with the semantics of podman's parser (cobra/pflag), so that scripts
// written for podman parse the same way: `--flag value`, `--flag=value`, `-f value`, `-fvalue`,
// grouped booleans `-aq`, `--bool=false`, `--` ends flags, repeated flags: the last one wins
// (string arrays accumulate), and pflag's error messages. Also what a declared command gets
// besides its options (Invocation).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cmdline/command_spec.h"

namespace schicht::cmdline {

class FlagSet {
 public:
  void add_bool(std::string name, char shorthand, bool* target, std::string help);
  void add_string(std::string name, char shorthand, std::string* target, std::string help);
  void add_strings(std::string name, char shorthand, std::vector<std::string>* target,
                   std::string help);
  void add_int(std::string name, char shorthand, int64_t* target, std::string help);
  void add_uint(std::string name, char shorthand, uint64_t* target, std::string help);
  // A flag podman has that means nothing here: accepted (with a value when `takes_value`),
  // then ignored.
  void add_ignored(std::string name, char shorthand, bool takes_value);
  // A declared flag (command_spec.h), setting its member of `options`.
  void add(const FlagSpec& spec, void* options);
  // Stop at the first positional argument (the rest is left for a subcommand or a command).
  void set_interspersed(bool interspersed) { interspersed_ = interspersed; }

  // Parses `args`; returns the positional arguments. Throws Error(kInvalidInput) with pflag's
  // messages ("unknown flag: --x", "flag needs an argument: --x", ...).
  std::vector<std::string> parse(std::span<const std::string> args);
  bool changed(std::string_view name) const;
  // "  -a, --all   help" lines for --help, of the flags added from index `first` on, up to
  // `last` (flags without help, the ignored ones, are not shown).
  std::string usage(size_t first = 0, size_t last = SIZE_MAX) const;
  size_t size() const { return flags_.size(); }

  // A flag as --help and shell completion show it.
  struct Info {
    std::string name;
    char shorthand;
    bool takes_value;
    std::string help;
  };
  // The flags with help, from index `first` up to `last`.
  std::vector<Info> visible(size_t first = 0, size_t last = SIZE_MAX) const;

 private:
  using Type = FlagType;
  struct Flag {
    std::string name;
    char shorthand;
    Type type;
    void* target;
    std::string help;
    bool changed = false;
    bool takes_value() const { return type != Type::kBool && type != Type::kIgnoredBool; }
  };
  void parse_long(std::span<const std::string> args, size_t& i);
  void parse_shorthands(std::span<const std::string> args, size_t& i);
  Flag* find_long(std::string_view name);
  Flag* find_short(char c);
  void set(Flag& flag, std::string_view value);

  std::vector<Flag> flags_;
  bool interspersed_ = true;
};

// What a declared command gets besides its options: the positional arguments, and the parsed
// flags (to ask whether one was given at all).
struct Invocation {
  std::vector<std::string> positional;
  FlagSet flags;
};

// cobra's positional-argument checks: kInvalidInput with its messages ("accepts 1 arg(s),
// received 2", "requires at least 1 arg(s), only received 0") unless min <= count <= max.
void need_args(const std::vector<std::string>& args, size_t min, size_t max);
// The check `rule` states, on `count` positional arguments.
void check_args(const ArgRule& rule, size_t count);

}  // namespace schicht::cmdline
