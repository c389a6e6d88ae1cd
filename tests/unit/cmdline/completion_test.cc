#include "cmdline/completion.h"

#include <gtest/gtest.h>

#include <string>

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

}  // namespace
}  // namespace schicht::cmdline
