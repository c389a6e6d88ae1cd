#include "cmdline/completion.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.h"

namespace schicht::cmdline {
namespace {

TEST(Completion, ScriptsCallTheProgramTheyAreFor) {
  for (const char* shell : {"bash", "zsh", "fish"}) {
    std::string script = completion_script(shell, "tool");
    EXPECT_NE(script.find("tool __complete"), std::string::npos) << shell;
    EXPECT_EQ(script.find("@PROGRAM@"), std::string::npos) << shell;
  }
  EXPECT_NE(completion_script("bash", "tool").find("complete -F __tool_complete tool"),
            std::string::npos);
}

TEST(Completion, AnOtherShellIsRefused) {
  try {
    completion_script("ksh", "tool");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidInput);
    EXPECT_STREQ(e.what(), "unsupported shell \"ksh\": use bash, zsh or fish");
  }
}

TEST(Completion, TheAnswerEndsWithWhetherToCompleteFiles) {
  EXPECT_EQ(completion_answer({{"a", "b"}, false}), "a\nb\n:nofiles\n");
  EXPECT_EQ(completion_answer({{}, true}), ":files\n");
}

CommandFlags example_flags() {
  return CommandFlags{{{"all", 'a', false, "All"}, {"format", 'f', true, "Format"}},
                      {{"root", 0, true, "Root"}}};
}

TEST(Completion, AFlagWantsTheNextWordOnlyWithoutItsValue) {
  CommandFlags flags = example_flags();
  EXPECT_EQ(flag_wanting_value(flags, "--format")->name, "format");
  EXPECT_EQ(flag_wanting_value(flags, "--root")->name, "root");
  EXPECT_EQ(flag_wanting_value(flags, "--format=json"), nullptr);
  EXPECT_EQ(flag_wanting_value(flags, "--all"), nullptr);
  EXPECT_EQ(flag_wanting_value(flags, "-af")->name, "format");
  EXPECT_EQ(flag_wanting_value(flags, "-fjson"), nullptr);
  EXPECT_EQ(flag_wanting_value(flags, "--unknown"), nullptr);
}

TEST(Completion, FlagNamesOfferShorthandsOnlyAfterOneDash) {
  CommandFlags flags = example_flags();
  EXPECT_EQ(flag_names(flags, "-").candidates,
            (std::vector<std::string>{"--all", "--format", "--root", "-a", "-f"}));
  EXPECT_EQ(flag_names(flags, "--").candidates,
            (std::vector<std::string>{"--all", "--format", "--root"}));
  EXPECT_EQ(flag_names(flags, "--r").candidates, std::vector<std::string>{"--root"});
}

TEST(Completion, MatchingKeepsWhatStartsWithTheWord) {
  EXPECT_EQ(matching({"json", "table"}, "j").candidates, std::vector<std::string>{"json"});
  EXPECT_EQ(matching({"json", "table"}, "--format=t", "--format=").candidates,
            std::vector<std::string>{"--format=table"});
}

}  // namespace
}  // namespace schicht::cmdline
