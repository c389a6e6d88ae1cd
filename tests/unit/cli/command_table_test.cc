// The command table as a whole: which commands are still parsed the old way.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "cli/command_tree.h"

namespace schicht::cli {
namespace {

// Completion runs these in probe mode (FlagProbe) to learn their flags; every other command is
// declared. A command converted leaves this list; none may join it.
TEST(CommandTable, OnlyTheCommandsNotYetDeclaredParseTheirOwnFlags) {
  std::set<std::string> legacy;
  for (const CommandPath& path : all_command_paths()) {
    const Command& runs = path.nested != nullptr ? *path.nested : *path.command;
    if (runs.spec.run == nullptr) legacy.insert(path.path);
  }
  EXPECT_EQ(legacy, (std::set<std::string>{"artifact add", "artifact attach", "artifact discover",
                                           "artifact pull", "artifact push", "build", "image build",
                                           "image scp"}));
}

TEST(CommandTable, ImageTrustsSubcommandsAreDeclared) {
  for (const Command& command : nested_commands("image", "trust")) {
    EXPECT_NE(command.spec.run, nullptr) << command.name;
    EXPECT_FALSE(command.spec.usage.empty()) << command.name;
  }
  EXPECT_EQ(nested_commands("image", "trust").size(), 3u);
}

}  // namespace
}  // namespace schicht::cli
