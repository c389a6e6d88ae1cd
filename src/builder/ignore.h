// .containerignore / .dockerignore: which context paths COPY and ADD leave out. Patterns are
// Docker's: path globs relative to the context (`*`, `?`, `[...]`, `**` for any number of
// directories), a match of a directory covers everything beneath it, `!pattern` re-includes,
// and the last matching pattern decides. Immutable once loaded; thread-compatible.
#pragma once

#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "core/fs.h"

namespace schicht::builder {

class IgnoreRules {
 public:
  // Reads <context>/.containerignore, else <context>/.dockerignore; none: nothing is ignored.
  static IgnoreRules load(const fs::path& context_dir);
  static IgnoreRules parse(std::string_view text);

  // `rel` is a clean context-relative path ("src/a.c").
  bool ignored(std::string_view rel) const;
  bool empty() const { return patterns_.empty(); }

 private:
  struct Pattern {
    std::string glob;
    std::regex regex;
    bool exclude = true;  // false for "!pattern"
  };
  std::vector<Pattern> patterns_;
};

}  // namespace schicht::builder
