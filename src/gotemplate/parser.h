// The parser of the Go template engine: builds the parse tree from the lexer's tokens with Go's
// grammar and checks (undefined functions and variables, misplaced else/end/break, pipelines
// whose later stages are not executable), reporting errors as Go does:
// "template: NAME:LINE: MESSAGE".
#pragma once

#include <memory>
#include <string_view>

#include "gotemplate/ast.h"

namespace schicht::gotemplate::tmpl {

// Throws Error(kInvalidInput) on a syntax error.
std::unique_ptr<Tree> parse_tree(std::string_view text, std::string_view name);

}  // namespace schicht::gotemplate::tmpl
