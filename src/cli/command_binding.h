// Binds a CommandSpec to a command function and its options struct: `flag<&Options::member>`
// makes a FlagSpec that sets that member, `declared<Options, function>` the spec's `run`, which
// parses the arguments into a fresh Options and calls the function. Only the command tables
// include this (its templates stay out of the headers every command includes).
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "cli/command_spec.h"
#include "cli/context.h"

namespace schicht::cli {

template <typename T>
struct MemberOf;
template <typename Class, typename Member>
struct MemberOf<Member Class::*> {
  using ClassType = Class;
  using MemberType = Member;
};

template <typename T>
constexpr FlagType flag_type() {
  if constexpr (std::is_same_v<T, bool>) return FlagType::kBool;
  if constexpr (std::is_same_v<T, std::string>) return FlagType::kString;
  if constexpr (std::is_same_v<T, std::vector<std::string>>) return FlagType::kStrings;
  if constexpr (std::is_same_v<T, int64_t>) return FlagType::kInt;
  if constexpr (std::is_same_v<T, uint64_t>) return FlagType::kUint;
}

// The member a path of member pointers names: &Options::registry, &RegistryFlags::authfile.
template <auto Member, auto... Rest>
void* member_of(void* options) {
  using M = MemberOf<decltype(Member)>;
  void* member = &(static_cast<typename M::ClassType*>(options)->*Member);
  if constexpr (sizeof...(Rest) == 0) {
    return member;
  } else {
    return member_of<Rest...>(member);
  }
}

template <auto Member, auto... Rest>
struct LastMember {
  using Type = typename LastMember<Rest...>::Type;
};
template <auto Member>
struct LastMember<Member> {
  using Type = typename MemberOf<decltype(Member)>::MemberType;
};

// A flag that sets the member `Path` names; its type follows the member's.
template <auto... Path>
constexpr FlagSpec flag(std::string_view name, char shorthand, std::string_view help) {
  return {name, shorthand, flag_type<typename LastMember<Path...>::Type>(), help,
          &member_of<Path...>};
}

// A flag podman has that means nothing here: accepted (with a value when `takes_value`).
constexpr FlagSpec ignored_flag(std::string_view name, char shorthand, bool takes_value) {
  return {name, shorthand, takes_value ? FlagType::kIgnoredValue : FlagType::kIgnoredBool, "",
          nullptr};
}

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

// A part of the options (a shared flag group's struct) for FlagGroup::part; a path of members
// for a group within a group (&Options::remote, &RemoteFlags::registry).
template <auto... Path>
constexpr void* (*part_of())(void*) {
  return &member_of<Path...>;
}

}  // namespace schicht::cli
