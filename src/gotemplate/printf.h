// Go's fmt for template values: how `{{.}}` prints a value and the print, printf and println
// functions. Slices print as "[a b]", maps as "map[k:v]" in sorted key order, structs as
// "{v1 v2}", floats the way Go's %v does ("1e+06", "1.5"), bad verbs as "%!d(string=x)".
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "gotemplate/value.h"

namespace schicht::gotemplate::tmpl {

// What an action `{{pipeline}}` writes for its value.
std::string action_text(const Value& value, const GoTypes& types);

// fmt.Sprint, fmt.Sprintln and fmt.Sprintf over template values.
std::string go_sprint(std::span<const Value> args, const GoTypes& types);
std::string go_sprintln(std::span<const Value> args, const GoTypes& types);
std::string go_sprintf(std::string_view format, std::span<const Value> args, const GoTypes& types);

}  // namespace schicht::gotemplate::tmpl
