#include <gtest/gtest.h>

#include "builder/containerfile.h"
#include "builder/words.h"
#include "core/error.h"

namespace schicht::builder {
namespace {

std::string error_of(std::string_view text) {
  try {
    parse_containerfile(text, "Containerfile");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Containerfile, InstructionsStagesAndFlags) {
  auto file = parse_containerfile(
      "# syntax=docker/dockerfile:1\n"
      "ARG BASE=alpine\n"
      "FROM $BASE AS Build\n"
      "# a comment\n"
      "run echo a \\\n"
      "  # inside\n"
      "\n"
      "  b\n"
      "COPY --from=build --chown=1:2 a b /dst/\n"
      "FROM scratch\n"
      "CMD [\"/bin/sh\", \"-c\", \"x\"]\n"
      "ENTRYPOINT [not json\n",
      "Containerfile");
  EXPECT_EQ(file.syntax, "docker/dockerfile:1");
  ASSERT_EQ(file.global_args.size(), 1u);
  ASSERT_EQ(file.stages.size(), 2u);
  const Stage& s0 = file.stages[0];
  EXPECT_EQ(s0.base, "$BASE");
  EXPECT_EQ(s0.name, "build");
  EXPECT_EQ(s0.from.line, 3);
  ASSERT_EQ(s0.instructions.size(), 2u);
  EXPECT_EQ(s0.instructions[0].keyword, "RUN");
  EXPECT_EQ(s0.instructions[0].args, "echo a   b");
  EXPECT_EQ(s0.instructions[0].line, 5);
  EXPECT_EQ(s0.instructions[1].flag("from"), "build");
  EXPECT_EQ(s0.instructions[1].flag("chown"), "1:2");
  EXPECT_EQ(s0.instructions[1].args, "a b /dst/");
  EXPECT_EQ(s0.instructions[1].line, 9);
  const Stage& s1 = file.stages[1];
  ASSERT_EQ(s1.instructions.size(), 2u);
  ASSERT_TRUE(s1.instructions[0].exec_form);
  EXPECT_EQ(*s1.instructions[0].exec_form, (std::vector<std::string>{"/bin/sh", "-c", "x"}));
  EXPECT_FALSE(s1.instructions[1].exec_form);  // malformed JSON is shell form
  EXPECT_EQ(file.find_stage("BUILD"), &file.stages[0]);
  EXPECT_EQ(file.find_stage("1"), &file.stages[1]);
  EXPECT_EQ(file.find_stage("nope"), nullptr);
}

TEST(Containerfile, EscapeDirective) {
  auto file = parse_containerfile("# escape=`\nFROM x\nRUN a `\n b\n", "Dockerfile");
  EXPECT_EQ(file.escape, '`');
  EXPECT_EQ(file.stages[0].instructions[0].args, "a  b");
  // After an instruction, a directive is a comment.
  auto later = parse_containerfile("FROM x\n# escape=`\nRUN a \\\n b\n", "Dockerfile");
  EXPECT_EQ(later.escape, '\\');
}

TEST(Containerfile, ErrorsNameFileAndLine) {
  EXPECT_EQ(error_of("FROM x\n\nFOO bar\n"), "Containerfile:3: unknown instruction: FOO");
  EXPECT_EQ(error_of("RUN x\n"), "Containerfile:1: no build stage in current context");
  EXPECT_EQ(error_of("# only a comment\n"), "Containerfile: no FROM statement found");
  EXPECT_EQ(error_of("FROM a AS x\nFROM b AS x\n"),
            "Containerfile:2: duplicate name for build stage: \"x\"");
  EXPECT_EQ(error_of("FROM a b\n"), "Containerfile:1: FROM requires either one or three arguments");
  EXPECT_EQ(error_of("# escape=x\nFROM a\n"),
            "Containerfile:1: invalid escape token 'x' does not match ` or \\");
}

TEST(Words, Substitution) {
  Variables vars{{"A", "1"}, {"B", "two words"}, {"E", ""}};
  EXPECT_EQ(process_word("$A-${A}-$NOPE-x", vars), "1-1--x");
  EXPECT_EQ(process_word("${E:-d}|${E-d}|${N:-d}|${A:+set}|${N:+set}", vars), "d||d|set|");
  EXPECT_EQ(process_word("'$A' \"$A\" \\$A", vars), "$A 1 $A");
  EXPECT_EQ(process_words("a \"b c\" $B", vars),
            (std::vector<std::string>{"a", "b c", "two", "words"}));
  EXPECT_EQ(process_word("${N:-${A}x}", vars), "1x");
  EXPECT_THROW(process_word("${A", vars), Error);
}

TEST(Words, KeyValues) {
  Variables vars{{"X", "1"}};
  auto kv = key_values("a=$X \"b c\"=\"d e\" f=", vars, '\\', "ENV");
  ASSERT_EQ(kv.size(), 3u);
  EXPECT_EQ(kv[0], (std::pair<std::string, std::string>{"a", "1"}));
  EXPECT_EQ(kv[1], (std::pair<std::string, std::string>{"b c", "d e"}));
  EXPECT_EQ(kv[2], (std::pair<std::string, std::string>{"f", ""}));
  auto legacy = key_values("KEY some value $X", vars, '\\', "ENV");
  ASSERT_EQ(legacy.size(), 1u);
  EXPECT_EQ(legacy[0].second, "some value 1");
  EXPECT_THROW(key_values("", vars, '\\', "ENV"), Error);
  EXPECT_THROW(key_values("ONLY", vars, '\\', "ENV"), Error);
}

}  // namespace
}  // namespace schicht::builder
