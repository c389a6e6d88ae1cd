// The functions templates may call: Go's builtins (and, or, not, len, index, slice, eq, ne, lt,
// le, gt, ge, print, printf, println) and podman's additions (json, upper, lower, title,
// truncate, pad, join, split), with their Go parameter types so arguments are checked as Go
// checks them.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gotemplate/value.h"

namespace schicht::gotemplate::tmpl {

// The Go parameter type of a function argument.
enum class Param {
  kAny,         // interface{}: a missing value arrives as nil
  kValue,       // reflect.Value: a missing value arrives as it is
  kString,      // string
  kInt,         // int
  kStringList,  // []string
};

// Go's name of a parameter type, for "wrong type for value; expected X" messages.
std::string_view param_type_name(Param param);

// An error a function returns; execution reports it as "error calling NAME: MESSAGE".
struct FuncError {
  std::string message;
};

struct Function {
  std::string_view name;
  std::vector<Param> params;  // for a variadic function the last one repeats
  bool variadic;
  Value (*call)(std::span<const Value> args, const GoTypes& types);
};

const Function* find_function(std::string_view name);
bool has_function(std::string_view name);

}  // namespace schicht::gotemplate::tmpl
