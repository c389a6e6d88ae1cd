#include "cmdline/command_spec.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cmdline/command_binding.h"
#include "cmdline/flags.h"
#include "core/error.h"

namespace schicht::cmdline {
namespace {

std::string args_error(const ArgRule& rule, size_t count) {
  try {
    check_args(rule, count);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidInput);
    return e.what();
  }
  return "";
}

TEST(CommandSpec, ArgumentRulesFailWithCobrasMessages) {
  EXPECT_EQ(args_error(exact_args(1), 1), "");
  EXPECT_EQ(args_error(exact_args(1), 2), "accepts 1 arg(s), received 2");
  EXPECT_EQ(args_error(exact_args(0), 1), "accepts 0 arg(s), received 1");
  EXPECT_EQ(args_error(min_args(2), 1), "requires at least 2 arg(s), only received 1");
  EXPECT_EQ(args_error(min_args(2), 5), "");
  EXPECT_EQ(args_error(max_args(1), 2), "accepts at most 1 arg(s), received 2");
  EXPECT_EQ(args_error(max_args(1), 0), "");
  EXPECT_EQ(args_error(range_args(1, 2), 0), "accepts between 1 and 2 arg(s), received 0");
  EXPECT_EQ(args_error(range_args(1, 2), 3), "accepts between 1 and 2 arg(s), received 3");
  EXPECT_EQ(args_error(any_args(), 9), "");
}

struct Part {
  std::string name;
  bool on = true;
};
struct Options {
  bool all = false;
  int64_t count = 3;
  std::vector<std::string> filters;
  Part part;
};

constexpr FlagSpec kFlags[] = {
    flag<&Options::all>("all", 'a', "All"),
    flag<&Options::count>("count", 0, "How many"),
    flag<&Options::filters>("filter", 'f', "Filters"),
    flag<&Options::part, &Part::name>("name", 0, "A member of a member"),
    ignored_flag("podman-only", 0, true),
};
constexpr FlagSpec kPartFlags[] = {flag<&Part::on>("on", 0, "A flag of a group")};

TEST(CommandSpec, FlagsSetTheMembersTheyAreBoundTo) {
  Options options;
  FlagSet flags;
  for (const auto& f : kFlags) flags.add(f, &options);
  for (const auto& f : kPartFlags) flags.add(f, &options.part);
  std::vector<std::string> args = {
      "-a",         "--count=7",     "-f", "x",   "--filter=y", "--name", "n",
      "--on=false", "--podman-only", "v",  "rest"};
  auto positional = flags.parse(args);
  EXPECT_EQ(positional, std::vector<std::string>{"rest"});
  EXPECT_TRUE(options.all);
  EXPECT_EQ(options.count, 7);
  EXPECT_EQ(options.filters, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(options.part.name, "n");
  EXPECT_FALSE(options.part.on);
  EXPECT_TRUE(flags.changed("count"));
  // The ignored flag is accepted, not shown.
  EXPECT_EQ(flags.visible().size(), 5u);
}

TEST(CommandSpec, DefaultsAreTheMembersInitializers) {
  Options options;
  FlagSet flags;
  for (const auto& f : kFlags) flags.add(f, &options);
  std::vector<std::string> none;
  flags.parse(none);
  EXPECT_FALSE(options.all);
  EXPECT_EQ(options.count, 3);
  EXPECT_FALSE(flags.changed("count"));
}

std::string parse_error(std::vector<std::string> args) {
  Options options;
  FlagSet flags;
  for (const auto& f : kFlags) flags.add(f, &options);
  try {
    flags.parse(args);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidInput);
    return e.what();
  }
  return "";
}

TEST(CommandSpec, BadFlagsFailWithPflagsMessages) {
  EXPECT_EQ(parse_error({"--nope"}), "unknown flag: --nope");
  EXPECT_EQ(parse_error({"-Z"}), "unknown shorthand flag: 'Z' in -Z");
  EXPECT_EQ(parse_error({"--count"}), "flag needs an argument: --count");
  EXPECT_EQ(parse_error({"-f"}), "flag needs an argument: 'f' in -f");
  EXPECT_EQ(parse_error({"--count=x"}),
            "invalid argument \"x\" for \"--count\" flag: strconv.ParseInt: parsing \"x\": "
            "invalid syntax");
  EXPECT_EQ(parse_error({"--all=maybe"}),
            "invalid argument \"maybe\" for \"-a, --all\" flag: strconv.ParseBool: parsing "
            "\"maybe\": invalid syntax");
  EXPECT_EQ(parse_error({"--", "--nope"}), "");
}

TEST(CommandSpec, DoubleDashEndsTheFlags) {
  Options options;
  FlagSet flags;
  for (const auto& f : kFlags) flags.add(f, &options);
  std::vector<std::string> args = {"x", "--", "-a", "--count=1"};
  EXPECT_EQ(flags.parse(args), (std::vector<std::string>{"x", "-a", "--count=1"}));
  EXPECT_FALSE(options.all);
}

}  // namespace
}  // namespace schicht::cmdline
