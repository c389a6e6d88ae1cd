#include "cmdline/help.h"

#include <gtest/gtest.h>

#include <string>

namespace schicht::cmdline {
namespace {

TEST(Help, CommandsArePaddedAsCobraPadsThem) {
  EXPECT_EQ(commands_help("tool", {{"b", "Second"}, {"a", "First"}}),
            "Usage:\n  tool [options] COMMAND\n\nAvailable Commands:\n"
            "  a           First\n  b           Second\n");
  EXPECT_EQ(commands_help("tool x", {{"a-very-long-name", "Long"}}),
            "Usage:\n  tool x [options] COMMAND\n\nAvailable Commands:\n"
            "  a-very-long-name Long\n");
}

TEST(Help, OwnFlagsThenGlobalOnes) {
  bool all = false;
  std::string root;
  FlagSet flags;
  flags.add_bool("all", 'a', &all, "Show all");
  flags.add_string("root", 0, &root, "Root");
  EXPECT_EQ(command_help("tool ls", flags, 1),
            "Usage:\n  tool ls\n\nFlags:\n"
            "  -a, --all                        Show all\n\n"
            "Global Flags:\n"
            "      --root                       Root\n");
  // No own flags shown: no "Flags:" section.
  EXPECT_EQ(command_help("tool ls", flags, 0),
            "Usage:\n  tool ls\n\nGlobal Flags:\n"
            "  -a, --all                        Show all\n"
            "      --root                       Root\n");
}

}  // namespace
}  // namespace schicht::cmdline
