// Declared flags bound to the members of an options struct: `flag<&Options::member>` makes a
// FlagSpec that sets that member (its FlagType follows the member's type), `part_of<...>` finds
// a shared group's struct within the options, `ignored_flag` accepts a flag and drops it. Only
// command tables include this (its templates stay out of the headers every command includes).
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "cmdline/command_spec.h"

namespace schicht::cmdline {

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

// A part of the options (a shared flag group's struct) for FlagGroup::part; a path of members
// for a group within a group (&Options::remote, &RemoteFlags::registry).
template <auto... Path>
constexpr void* (*part_of())(void*) {
  return &member_of<Path...>;
}

}  // namespace schicht::cmdline
