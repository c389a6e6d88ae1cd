// The command table as a whole: every command declared.
#include <gtest/gtest.h>

#include "cli/command_tree.h"

namespace schicht::cli {
namespace {

// Every command's flags are in the table: parsing, --help and completion read them from there.
TEST(CommandTable, EveryCommandIsDeclared) {
  for (const CommandPath& path : all_command_paths()) {
    const Command& runs = path.nested != nullptr ? *path.nested : *path.command;
    EXPECT_NE(runs.spec.run, nullptr) << path.path;
    EXPECT_FALSE(runs.spec.usage.empty()) << path.path;
  }
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
