// The evaluator of the Go template engine: walks the parse tree over a value as Go's
// text/template exec does, writing text as it goes and reporting execution errors as
// `template: NAME:LINE:COL: executing "NAME" at <NODE>: MESSAGE`.
#pragma once

#include <string>

#include "gotemplate/ast.h"
#include "gotemplate/value.h"

namespace schicht::gotemplate::tmpl {

// Appends the template's output for `data` to `out`; on an error, what was written stays.
void execute_tree(const Tree& tree, std::string& out, const Value& data, const GoTypes& types);

}  // namespace schicht::gotemplate::tmpl
