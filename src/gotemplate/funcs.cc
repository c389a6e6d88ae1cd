#include "gotemplate/funcs.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "gotemplate/json.h"
#include "gotemplate/printf.h"
#include "gotemplate/unicode.h"

namespace schicht::gotemplate::tmpl {
namespace {

[[noreturn]] void func_error(std::string message) {
  throw FuncError{std::move(message)};
}

const std::string& str(const Value& value) {
  return value.json().get_ref<const std::string&>();
}

int64_t integer(const Value& value) {
  return to_int64(value.json()).value_or(0);
}

Value string_value(std::string text) {
  return Value::computed(Json(std::move(text)));
}

Value bool_value(bool truth) {
  return Value::computed(Json(truth));
}

bool is_zero(const Value& value) {
  return value.kind() == Kind::kNil;
}

bool is_basic(Kind kind) {
  return kind == Kind::kBool || kind == Kind::kInt || kind == Kind::kFloat || kind == Kind::kString;
}

// text/template's eq: arg1 equals any of the others.
bool equal_any(const Value& arg1, std::span<const Value> others, const GoTypes& types) {
  if (others.empty()) func_error("missing argument for comparison");
  Kind k1 = arg1.kind();
  for (const Value& arg : others) {
    Kind k2 = arg.kind();
    bool truth = false;
    if (k1 != k2 && (is_basic(k1) || is_basic(k2))) {
      if (!is_zero(arg1) && !is_zero(arg)) func_error("incompatible types for comparison");
    } else if (is_basic(k1)) {
      switch (k1) {
        case Kind::kInt:
          truth = compare_integers(arg1.json(), arg.json()) == 0;
          break;
        case Kind::kFloat:
          truth = arg1.json().get<double>() == arg.json().get<double>();
          break;
        default:
          truth = arg1.json() == arg.json();
          break;
      }
    } else if (is_zero(arg) || is_zero(arg1)) {
      truth = is_zero(arg) && is_zero(arg1);
    } else {
      Shape shape = shape_of(arg, types);
      bool comparable =
          k2 == Kind::kObject && (shape == Shape::kStruct || shape == Shape::kPointer);
      if (!comparable) {
        std::array<Value, 1> operand{arg};
        func_error(fmt::format("non-comparable type {}: {}", go_sprintf("%s", operand, types),
                               type_name(arg, types)));
      }
      truth = arg1.json() == arg.json();
    }
    if (truth) return true;
  }
  return false;
}

bool less(const Value& a, const Value& b) {
  Kind ka = a.kind(), kb = b.kind();
  if (!is_basic(ka) || !is_basic(kb)) func_error("invalid type for comparison");
  if (ka != kb) func_error("incompatible types for comparison");
  switch (ka) {
    case Kind::kInt:
      return compare_integers(a.json(), b.json()) < 0;
    case Kind::kFloat:
      return a.json().get<double>() < b.json().get<double>();
    case Kind::kString:
      return str(a) < str(b);
    default:
      func_error("invalid type for comparison");
  }
}

Value fn_and(std::span<const Value> args, const GoTypes& types) {
  for (const Value& arg : args) {
    if (!is_true(arg, types)) return arg;
  }
  return args.back();
}

Value fn_or(std::span<const Value> args, const GoTypes& types) {
  for (const Value& arg : args) {
    if (is_true(arg, types)) return arg;
  }
  return args.back();
}

Value fn_not(std::span<const Value> args, const GoTypes& types) {
  return bool_value(!is_true(args[0], types));
}

Value fn_len(std::span<const Value> args, const GoTypes& types) {
  const Value& item = args[0];
  Shape shape = shape_of(item, types);
  switch (item.kind()) {
    case Kind::kString:
      return Value::computed(Json(str(item).size()));
    case Kind::kArray:
      return Value::computed(Json(item.json().size()));
    case Kind::kObject:
      if (shape == Shape::kStruct || shape == Shape::kPointer) {
        func_error("len of type " + type_name(item, types));
      }
      return Value::computed(Json(item.json().size()));
    case Kind::kNil:
      if (shape == Shape::kMap || shape == Shape::kSlice) return Value::computed(Json(0));
      if (shape == Shape::kPointer) func_error("len of nil pointer");
      // Go's message for a nil interface, which reaches len as an invalid reflect.Value.
      func_error("reflect: call of reflect.Value.Type on zero Value");
    default:
      func_error("len of type " + type_name(item, types));
  }
}

// An index into a slice, array or string of length `length`.
size_t slice_index(const Value& index, size_t length, const GoTypes& types) {
  if (index.kind() == Kind::kNil) func_error("cannot index slice/array with nil");
  if (index.kind() != Kind::kInt) {
    func_error("cannot index slice/array with type " + type_name(index, types));
  }
  auto x = to_int64(index.json());
  if (!x || *x < 0 || static_cast<uint64_t>(*x) > length) {
    func_error(fmt::format("index out of range: {}", x.value_or(-1)));
  }
  return static_cast<size_t>(*x);
}

void check_map_key(const Value& key, const GoTypes& types) {
  if (key.kind() == Kind::kNil) func_error("value is nil; should be of type string");
  if (key.kind() != Kind::kString) {
    func_error(fmt::format("value has type {}; should be string", type_name(key, types)));
  }
}

// What indexing a map with a missing key gives: the zero value of its element type.
Value map_zero_value(const Value& map, const GoTypes& types) {
  if (type_name(map, types) == "map[string]string") return Value::computed(Json(""));
  return Value();  // a nil interface{}: prints <no value>
}

Value fn_index(std::span<const Value> args, const GoTypes& types) {
  Value item = args[0];
  if (item.kind() == Kind::kNil && shape_of(item, types) == Shape::kUndeclared) {
    func_error("index of untyped nil");
  }
  for (const Value& index : args.subspan(1)) {
    if (!item.valid()) func_error("index of nil pointer");  // a missing key's nil interface
    Shape shape = shape_of(item, types);
    switch (item.kind()) {
      case Kind::kString: {
        size_t x = slice_index(index, str(item).size(), types);
        if (x == str(item).size()) func_error("reflect: string index out of range");
        item = Value::computed(Json(static_cast<unsigned char>(str(item)[x])));
        break;
      }
      case Kind::kArray: {
        size_t x = slice_index(index, item.json().size(), types);
        if (x == item.json().size()) func_error("reflect: slice index out of range");
        item = item.child(item.json()[x], "", true);
        break;
      }
      case Kind::kObject: {
        if (shape == Shape::kStruct || shape == Shape::kPointer) {
          func_error("can't index item of type " + type_name(item, types));
        }
        check_map_key(index, types);
        auto found = item.json().find(str(index));
        item = found == item.json().end() ? map_zero_value(item, types)
                                          : item.child(*found, str(index), shape == Shape::kMap);
        break;
      }
      case Kind::kNil:
        if (shape == Shape::kMap) {
          check_map_key(index, types);
          item = map_zero_value(item, types);
          break;
        }
        if (shape == Shape::kSlice) {
          slice_index(index, 0, types);  // a nil slice has length 0
          func_error("reflect: slice index out of range");
        }
        func_error("index of nil pointer");
      default:
        func_error("can't index item of type " + type_name(item, types));
    }
  }
  return item;
}

Value fn_slice(std::span<const Value> args, const GoTypes& types) {
  Value item = args[0];
  auto indexes = args.subspan(1);
  if (item.kind() == Kind::kNil) {
    Shape shape = shape_of(item, types);
    if (shape == Shape::kUndeclared) func_error("slice of untyped nil");
    if (shape != Shape::kSlice) func_error("can't slice item of type " + type_name(item, types));
    item = item.derived(Json::array());  // a nil slice slices like an empty one
  }
  if (indexes.size() > 3) func_error(fmt::format("too many slice indexes: {}", indexes.size()));
  size_t length;
  if (item.kind() == Kind::kString) {
    if (indexes.size() == 3) func_error("cannot 3-index slice a string");
    length = str(item).size();
  } else if (item.kind() == Kind::kArray) {
    length = item.json().size();
  } else {
    func_error("can't slice item of type " + type_name(item, types));
  }
  std::array<size_t, 3> idx{0, length, length};
  for (size_t i = 0; i < indexes.size(); ++i) idx[i] = slice_index(indexes[i], length, types);
  if (idx[0] > idx[1]) func_error(fmt::format("invalid slice index: {} > {}", idx[0], idx[1]));
  if (indexes.size() == 3 && idx[1] > idx[2]) {
    func_error(fmt::format("invalid slice index: {} > {}", idx[1], idx[2]));
  }
  if (item.kind() == Kind::kString) {
    return item.derived(Json(str(item).substr(idx[0], idx[1] - idx[0])));
  }
  Json slice = Json::array();
  for (size_t i = idx[0]; i < idx[1]; ++i) slice.push_back(item.json()[i]);
  return item.derived(std::move(slice));
}

Value fn_eq(std::span<const Value> args, const GoTypes& types) {
  return bool_value(equal_any(args[0], args.subspan(1), types));
}

Value fn_ne(std::span<const Value> args, const GoTypes& types) {
  return bool_value(!equal_any(args[0], args.subspan(1), types));
}

Value fn_lt(std::span<const Value> args, const GoTypes&) {
  return bool_value(less(args[0], args[1]));
}

Value fn_le(std::span<const Value> args, const GoTypes& types) {
  return bool_value(less(args[0], args[1]) || equal_any(args[0], args.subspan(1), types));
}

Value fn_gt(std::span<const Value> args, const GoTypes& types) {
  return bool_value(!(less(args[0], args[1]) || equal_any(args[0], args.subspan(1), types)));
}

Value fn_ge(std::span<const Value> args, const GoTypes&) {
  return bool_value(!less(args[0], args[1]));
}

Value fn_print(std::span<const Value> args, const GoTypes& types) {
  return string_value(go_sprint(args, types));
}

Value fn_printf(std::span<const Value> args, const GoTypes& types) {
  return string_value(go_sprintf(str(args[0]), args.subspan(1), types));
}

Value fn_println(std::span<const Value> args, const GoTypes& types) {
  return string_value(go_sprintln(args, types));
}

// podman's json: json.Encoder without HTML escaping, trailing newline trimmed.
Value fn_json(std::span<const Value> args, const GoTypes&) {
  const Json null;
  const Json& value = args[0].valid() ? args[0].json() : null;
  return string_value(go_json(value, GoJsonStyle{.escape_html = false, .indent = ""}));
}

Value fn_upper(std::span<const Value> args, const GoTypes&) {
  return string_value(to_upper(str(args[0])));
}

Value fn_lower(std::span<const Value> args, const GoTypes&) {
  return string_value(to_lower(str(args[0])));
}

Value fn_title(std::span<const Value> args, const GoTypes&) {
  return string_value(to_title(str(args[0])));
}

// podman's truncate: the first N bytes, or the whole string if it is shorter.
Value fn_truncate(std::span<const Value> args, const GoTypes&) {
  const std::string& text = str(args[0]);
  int64_t length = integer(args[1]);
  if (static_cast<int64_t>(text.size()) < length) return string_value(text);
  if (length < 0) {
    func_error(fmt::format("runtime error: slice bounds out of range [:{}]", length));
  }
  return string_value(text.substr(0, static_cast<size_t>(length)));
}

// podman's pad: spaces before and after a non-empty string.
Value fn_pad(std::span<const Value> args, const GoTypes&) {
  const std::string& text = str(args[0]);
  int64_t before = integer(args[1]), after = integer(args[2]);
  if (text.empty()) return string_value("");
  if (before < 0 || after < 0) func_error("strings: negative Repeat count");
  return string_value(std::string(static_cast<size_t>(before), ' ') + text +
                      std::string(static_cast<size_t>(after), ' '));
}

Value fn_join(std::span<const Value> args, const GoTypes&) {
  std::string out;
  bool first = true;
  for (const auto& element : args[0].json()) {
    if (!first) out += str(args[1]);
    first = false;
    out += element.get_ref<const std::string&>();
  }
  return string_value(std::move(out));
}

// strings.Split; an empty separator splits after each UTF-8 sequence.
Value fn_split(std::span<const Value> args, const GoTypes&) {
  const std::string& text = str(args[0]);
  const std::string& separator = str(args[1]);
  Json parts = Json::array();
  if (separator.empty()) {
    for (size_t i = 0; i < text.size();) {
      size_t len = 1;
      while (i + len < text.size() && (static_cast<unsigned char>(text[i + len]) & 0xc0) == 0x80) {
        ++len;
      }
      parts.push_back(text.substr(i, len));
      i += len;
    }
    return Value::computed(std::move(parts));
  }
  size_t start = 0;
  while (true) {
    size_t found = text.find(separator, start);
    if (found == std::string::npos) break;
    parts.push_back(text.substr(start, found - start));
    start = found + separator.size();
  }
  parts.push_back(text.substr(start));
  return Value::computed(std::move(parts));
}

using P = Param;

const std::array kFunctions = {
    Function{"and", {P::kValue, P::kValue}, true, fn_and},
    Function{"or", {P::kValue, P::kValue}, true, fn_or},
    Function{"not", {P::kValue}, false, fn_not},
    Function{"len", {P::kValue}, false, fn_len},
    Function{"index", {P::kValue, P::kValue}, true, fn_index},
    Function{"slice", {P::kValue, P::kValue}, true, fn_slice},
    Function{"eq", {P::kValue, P::kValue}, true, fn_eq},
    Function{"ne", {P::kValue, P::kValue}, false, fn_ne},
    Function{"lt", {P::kValue, P::kValue}, false, fn_lt},
    Function{"le", {P::kValue, P::kValue}, false, fn_le},
    Function{"gt", {P::kValue, P::kValue}, false, fn_gt},
    Function{"ge", {P::kValue, P::kValue}, false, fn_ge},
    Function{"print", {P::kAny}, true, fn_print},
    Function{"printf", {P::kString, P::kAny}, true, fn_printf},
    Function{"println", {P::kAny}, true, fn_println},
    Function{"json", {P::kAny}, false, fn_json},
    Function{"upper", {P::kString}, false, fn_upper},
    Function{"lower", {P::kString}, false, fn_lower},
    Function{"title", {P::kString}, false, fn_title},
    Function{"truncate", {P::kString, P::kInt}, false, fn_truncate},
    Function{"pad", {P::kString, P::kInt, P::kInt}, false, fn_pad},
    Function{"join", {P::kStringList, P::kString}, false, fn_join},
    Function{"split", {P::kString, P::kString}, false, fn_split},
};

}  // namespace

std::string_view param_type_name(Param param) {
  switch (param) {
    case Param::kAny:
      return "interface {}";
    case Param::kValue:
      return "reflect.Value";
    case Param::kString:
      return "string";
    case Param::kInt:
      return "int";
    case Param::kStringList:
      return "[]string";
  }
  return "interface {}";
}

const Function* find_function(std::string_view name) {
  for (const auto& function : kFunctions) {
    if (function.name == name) return &function;
  }
  return nullptr;
}

bool has_function(std::string_view name) {
  return find_function(name) != nullptr;
}

}  // namespace schicht::gotemplate::tmpl
