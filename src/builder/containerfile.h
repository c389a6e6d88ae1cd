// Containerfile (Dockerfile) parsing: parser directives (`# escape=`, `# syntax=`), comments,
// line continuations, instructions with their `--flag=value` options, exec (JSON) and shell
// forms, and stages (`FROM image [AS name]`), as buildah 1.28 reads them. buildah 1.28 has no
// heredocs: `RUN <<EOF` is shell text there, and so it is here.
//
// Parsing does no variable substitution: that depends on the ARGs and ENVs in effect when the
// step runs (see words.h). Errors are kInvalidInput and name the file and line
// ("Containerfile:3: unknown instruction: FOO"). Stateless functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace schicht::builder {

struct Instruction {
  std::string keyword;   // upper case: "RUN"
  std::string original;  // the instruction as written, continuations joined, keyword as typed
  std::vector<std::string> flags;  // "--from=build", as written, in order
  std::string args;  // the text after keyword and flags, continuations joined, trimmed
  // Exec form: the args parsed as a JSON array of strings.
  std::optional<std::vector<std::string>> exec_form;
  int line = 0;  // of the keyword

  // The value of flag --name (the last one wins); nullopt when absent.
  std::optional<std::string> flag(std::string_view name) const;
};

struct Stage {
  int index = 0;
  std::string base;  // the image after FROM, before substitution
  std::string name;  // after AS, lower case; empty when none
  Instruction from;
  std::vector<Instruction> instructions;  // after FROM
};

struct Containerfile {
  std::string path;  // as errors name it
  char escape = '\\';
  std::string syntax;                    // the `# syntax=` directive, when given
  std::vector<Instruction> global_args;  // ARGs before the first FROM
  std::vector<Stage> stages;

  // The stage named `name` (case-insensitive) or with that index; nullptr when none.
  const Stage* find_stage(std::string_view name) const;
};

Containerfile parse_containerfile(std::string_view text, const std::string& path);

// "Containerfile:3: message".
std::string at_line(const std::string& path, int line, std::string_view message);

}  // namespace schicht::builder
