// Binds a CommandSpec to a command function and its options struct: `declared<Options,
// function>` makes the spec whose `run` parses the arguments into a fresh Options (by the flags
// cmdline/command_binding.h binds) and calls the function. Only the command tables include this.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "cli/context.h"
#include "cmdline/command_binding.h"

namespace schicht::cli {

using cmdline::flag;
using cmdline::ignored_flag;
using cmdline::part_of;

// Runs a declared command: its options parsed from `args` by `spec`, then `Function`.
template <typename Options, int (*Function)(Context&, Options&, Invocation&)>
int run_declared(Context& ctx, const CommandSpec& spec, std::span<const std::string> args) {
  Options options{};
  Invocation invocation;
  if (!parse_invocation(ctx, spec, &options, args, invocation)) return 0;  // --help shown
  return Function(ctx, options, invocation);
}

// The spec of a declared command: `Function` runs with its Options parsed by `flags`.
template <typename Options, int (*Function)(Context&, Options&, Invocation&)>
constexpr CommandSpec declared(std::string_view usage, ArgRule args, std::string_view kinds,
                               std::span<const FlagGroup> flags = {}, bool interspersed = true) {
  return CommandSpec{usage, args, kinds, flags, interspersed, &run_declared<Options, Function>};
}

}  // namespace schicht::cli
