// Literals of the Go template language: quoted strings and character constants as
// strconv.Unquote reads them, and number literals with every representation Go derives.
#pragma once

#include <string>
#include <string_view>

#include "gotemplate/ast.h"

namespace schicht::gotemplate::tmpl {

// Go's strconv.Unquote for "...", `...` and '...'; false on bad syntax.
bool unquote(std::string_view quoted, std::string& out);

// Fills `node` from a number literal or (with `char_constant`) a 'x' literal: which of int,
// uint and float it can be, and its values. On failure `error` holds Go's parse message.
bool parse_number(std::string_view text, bool char_constant, NumberNode& node, std::string& error);

}  // namespace schicht::gotemplate::tmpl
