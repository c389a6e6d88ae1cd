#include "cmdline/command_tree.h"

#include "cmdline/completion_walk.h"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

namespace schicht::cmdline {
namespace {

struct Session {};
int run_list(Session&, const CommandSpec<Session>&, std::span<const std::string>) {
  return 0;
}
int run_remove(Session&, const CommandSpec<Session>&, std::span<const std::string>) {
  return 0;
}
int run_trust(Session&, const CommandSpec<Session>&, std::span<const std::string>) {
  return 0;
}

constexpr CommandSpec<Session> kList{.usage = "tool list", .run = &run_list};
constexpr CommandSpec<Session> kRemove{.usage = "tool rm", .run = &run_remove};
constexpr CommandSpec<Session> kTrust{.usage = "tool trust", .run = &run_trust};

std::span<const Command<Session>> top_level() {
  static constexpr std::array kCommands = {Command<Session>{"list", "List", kList}};
  return kCommands;
}
std::span<const Command<Session>> image_commands() {
  static constexpr std::array kCommands = {
      Command<Session>{"ls", "List", kList}, Command<Session>{"rm", "Remove", kRemove},
      Command<Session>{"remove", "Remove", kRemove}, Command<Session>{"trust", "Trust", kTrust}};
  return kCommands;
}
std::span<const Command<Session>> nested(std::string_view group, std::string_view command) {
  static constexpr std::array kTrustCommands = {Command<Session>{"show", "Show", kList}};
  if (group == "image" && command == "trust") return kTrustCommands;
  return {};
}

constexpr std::array kGroups = {CommandGroup<Session>{"image", "Images", image_commands}};

TEST(CommandTree, AliasesNameTheTopLevelCommandElseTheLongestName) {
  static constexpr std::array kGroups = {CommandGroup<Session>{"image", "Images", image_commands}};
  auto paths = all_command_paths(CommandTree<Session>{top_level(), kGroups, &nested});
  std::vector<std::string> got;
  for (const auto& p : paths) got.push_back(p.path + "=" + p.canonical);
  EXPECT_EQ(got, (std::vector<std::string>{"list=list", "image ls=list", "image rm=image remove",
                                           "image remove=image remove",
                                           "image trust show=image trust show"}));
  EXPECT_EQ(paths.back().leading, std::vector<std::string>{"show"});
  EXPECT_EQ(paths.back().nested->name, "show");
  EXPECT_EQ(find_command(image_commands(), "rm")->summary, "Remove");
  EXPECT_EQ(find_command(image_commands(), "nope"), nullptr);
}

CompletionSource<Session> example_source() {
  return {.tree = {top_level(), kGroups, &nested},
          .global_flags =
              [] {
                return CommandFlags{{}, {{"root", 0, true, "Root"}}};
              },
          .command_flags =
              [](const CommandPath<Session>&) {
                return CommandFlags{{{"format", 'f', true, "Format"}}, {}};
              },
          .flag_values =
              [](std::string_view, std::string_view flag) {
                if (flag == "root") return Completions{{}, true};
                return Completions{{"table", "json"}, false};
              },
          .arguments =
              [](char kind, const std::vector<std::string>&, const std::string&) {
                return Completions{{std::string(1, kind) + "-candidate"}, false};
              }};
}

TEST(CompletionWalk, CommandsGroupsFlagsValuesAndArguments) {
  auto source = example_source();
  EXPECT_EQ(complete(source, {}, "").candidates,
            (std::vector<std::string>{"help", "image", "list"}));
  EXPECT_EQ(complete(source, {"image"}, "r").candidates,
            (std::vector<std::string>{"remove", "rm"}));
  EXPECT_EQ(complete(source, {"image", "trust"}, "").candidates, std::vector<std::string>{"show"});
  EXPECT_EQ(complete(source, {"--root"}, "x").files, true);
  EXPECT_EQ(complete(source, {"--root", "/r", "list", "-f"}, "j").candidates,
            std::vector<std::string>{"json"});
  EXPECT_EQ(complete(source, {"list"}, "--format=t").candidates,
            std::vector<std::string>{"--format=table"});
  EXPECT_EQ(complete(source, {"list"}, "--").candidates, (std::vector<std::string>{"--format"}));
  EXPECT_TRUE(complete(source, {"nope"}, "").candidates.empty());
  // A spec without argument kinds completes file names.
  EXPECT_TRUE(complete(source, {"list"}, "").files);
}

}  // namespace
}  // namespace schicht::cmdline
