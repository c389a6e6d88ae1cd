#include "gotemplate/printf.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "gotemplate/strconv.h"
#include "gotemplate/utf8.h"

namespace schicht::gotemplate::tmpl {
namespace {

struct Spec {
  char32_t verb = 'v';
  bool minus = false;
  bool plus = false;
  bool plus_v = false;  // %+v: struct fields with their names
  bool sharp = false;
  bool space = false;
  bool zero = false;
  int width = -1;  // -1: none
  int prec = -1;   // -1: none
};

std::string digits_in_base(uint64_t value, int base, bool upper) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  do {
    out += digits[value % static_cast<uint64_t>(base)];
    value /= static_cast<uint64_t>(base);
  } while (value != 0);
  std::reverse(out.begin(), out.end());
  return out;
}

class Printer {
 public:
  explicit Printer(const GoTypes& types) : types_(types) {}

  std::string& out() { return out_; }

  // fmt's printArg: a top-level operand.
  void print_arg(const Value& value, const Spec& spec) {
    if (value.kind() == Kind::kNil && shape_of(value, types_) == Shape::kUndeclared) {
      if (spec.verb == 'v' || spec.verb == 'T') {
        pad("<nil>", spec);
      } else {
        bad_verb(value, spec);
      }
      return;
    }
    print_value(value, spec, 0);
  }

  void bad_verb(const Value& value, const Spec& spec) {
    out_ += "%!";
    append_rune(out_, spec.verb);
    out_ += '(';
    if (value.kind() == Kind::kNil && shape_of(value, types_) == Shape::kUndeclared) {
      out_ += "<nil>";
    } else {
      out_ += type_name(value, types_);
      out_ += '=';
      Spec as_v = spec;
      as_v.verb = 'v';
      print_value(value, as_v, 0);
    }
    out_ += ')';
  }

 private:
  void print_value(const Value& value, const Spec& spec, int depth) {
    switch (value.kind()) {
      case Kind::kNil:
        return print_nil(value, spec);
      case Kind::kBool:
        if (spec.verb != 't' && spec.verb != 'v') return bad_verb(value, spec);
        return pad(value.json().get<bool>() ? "true" : "false", spec);
      case Kind::kInt:
        return print_integer(value, spec);
      case Kind::kFloat:
        return print_float(value, spec);
      case Kind::kString:
        return print_string(value, spec);
      case Kind::kArray: {
        out_ += '[';
        for (size_t i = 0; i < value.json().size(); ++i) {
          if (i > 0) out_ += ' ';
          print_value(value.child(value.json()[i], "", true), spec, depth + 1);
        }
        out_ += ']';
        return;
      }
      case Kind::kObject:
        return print_object(value, spec, depth);
    }
  }

  void print_nil(const Value& value, const Spec& spec) {
    switch (shape_of(value, types_)) {
      case Shape::kMap:
        out_ += "map[]";
        return;
      case Shape::kSlice:
        out_ += "[]";
        return;
      default:
        pad("<nil>", spec);
        return;
    }
  }

  void print_object(const Value& value, const Spec& spec, int depth) {
    Shape shape = shape_of(value, types_);
    if (shape == Shape::kStruct || shape == Shape::kPointer) {
      std::vector<StructField> layout = struct_layout(value, types_);
      if (!layout.empty()) return print_laid_out(value, layout, spec, depth);
      out_ += '{';
      bool first = true;
      for (const auto& [key, field] : value.json().items()) {
        if (!first) out_ += ' ';
        first = false;
        if (spec.plus_v) out_ += key + ":";
        print_value(value.child(field, key, false), spec, depth + 1);
      }
      out_ += '}';
      return;
    }
    // Go prints maps in sorted key order.
    std::vector<std::string> keys;
    for (const auto& [key, field] : value.json().items()) keys.push_back(key);
    std::sort(keys.begin(), keys.end());
    bool is_map = shape == Shape::kMap;
    out_ += "map[";
    for (size_t i = 0; i < keys.size(); ++i) {
      if (i > 0) out_ += ' ';
      print_value(Value::computed(Json(keys[i])), spec, depth + 1);
      out_ += ':';
      print_value(value.child(value.json()[keys[i]], keys[i], is_map), spec, depth + 1);
    }
    out_ += ']';
  }

  // A struct with a declared layout: every field in order, those the JSON leaves out as their
  // declared type's zero value.
  void print_laid_out(const Value& value, const std::vector<StructField>& layout, const Spec& spec,
                      int depth) {
    static const Json kNull;
    static const Json kEmpty = "";
    static const Json kZero = 0;
    static const Json kFalse = false;
    out_ += '{';
    for (size_t i = 0; i < layout.size(); ++i) {
      if (i > 0) out_ += ' ';
      if (spec.plus_v) out_ += layout[i].go_name + ":";
      auto found = value.json().find(layout[i].json_key);
      const Json* field = &kNull;
      if (found != value.json().end()) {
        field = &*found;
      } else {
        Value probe = value.child(kNull, layout[i].go_name, false);
        std::string type = type_name(probe, types_);
        if (type == "string") field = &kEmpty;
        if (type == "bool") field = &kFalse;
        if (type.starts_with("int") || type.starts_with("uint")) field = &kZero;
      }
      print_value(value.child(*field, layout[i].go_name, false), spec, depth + 1);
    }
    out_ += '}';
  }

  void print_integer(const Value& value, const Spec& spec) {
    const Json& json = value.json();
    bool negative = !json.is_number_unsigned() && json.get<int64_t>() < 0;
    uint64_t magnitude =
        negative ? 0 - static_cast<uint64_t>(json.get<int64_t>()) : json.get<uint64_t>();
    // %c and %q take the integer as a rune; out of range it is U+FFFD.
    char32_t rune =
        negative || magnitude > 0x10ffff ? kRuneError : static_cast<char32_t>(magnitude);
    switch (spec.verb) {
      case 'v':
      case 'd':
        return integer(negative, magnitude, 10, spec);
      case 'b':
        return integer(negative, magnitude, 2, spec);
      case 'o':
      case 'O':
        return integer(negative, magnitude, 8, spec);
      case 'x':
        return integer(negative, magnitude, 16, spec);
      case 'X':
        return integer(negative, magnitude, 16, spec, true);
      case 'c': {
        std::string text;
        append_rune(text, rune);
        return pad(text, spec);
      }
      case 'q':
        return pad(go_quote_rune(rune, spec.plus), spec);
      case 'U':
        return pad(fmt::format("U+{:04X}", magnitude), spec);
      default:
        return bad_verb(value, spec);
    }
  }

  // fmt's fmtInteger: precision or zero padding give leading zeros, then sign and prefix.
  void integer(bool negative, uint64_t magnitude, int base, const Spec& spec, bool upper = false) {
    std::string digits = digits_in_base(magnitude, base, upper);
    int min_digits = 0;
    if (spec.prec >= 0) {
      if (spec.prec == 0 && magnitude == 0) {
        Spec spaces = spec;
        spaces.zero = false;
        return pad("", spaces);
      }
      min_digits = spec.prec;
    } else if (spec.zero && spec.width >= 0) {
      min_digits = spec.width - ((negative || spec.plus || spec.space) ? 1 : 0);
      if (spec.sharp && base == 16) min_digits -= 2;
    }
    if (static_cast<int>(digits.size()) < min_digits) {
      digits.insert(0, static_cast<size_t>(min_digits) - digits.size(), '0');
    }
    if (spec.sharp) {
      if (base == 16) digits.insert(0, upper ? "0X" : "0x");
      if (base == 8 && digits[0] != '0') digits.insert(0, "0");
      if (base == 2) digits.insert(0, "0b");
    }
    if (spec.verb == 'O') digits.insert(0, "0o");
    if (negative) {
      digits.insert(0, "-");
    } else if (spec.plus) {
      digits.insert(0, "+");
    } else if (spec.space) {
      digits.insert(0, " ");
    }
    Spec no_zero = spec;
    no_zero.zero = false;
    pad(digits, no_zero);
  }

  void print_float(const Value& value, const Spec& spec) {
    char verb;
    int prec;
    switch (spec.verb) {
      case 'v':
        verb = 'g', prec = -1;
        break;
      case 'g':
      case 'G':
        verb = static_cast<char>(spec.verb), prec = -1;
        break;
      case 'e':
      case 'E':
      case 'f':
      case 'F':
        verb = static_cast<char>(spec.verb), prec = 6;
        break;
      default:
        return bad_verb(value, spec);
    }
    if (spec.prec >= 0) prec = spec.prec;
    std::string num = go_format_float(value.json().get<double>(), verb, prec);
    char sign = '+';
    if (num[0] == '-' || num[0] == '+') {
      sign = num[0];
      num.erase(0, 1);
    }
    if (spec.space && sign == '+' && !spec.plus) sign = ' ';
    if (num == "Inf" || num == "NaN") {
      Spec spaces = spec;
      spaces.zero = false;
      bool show = sign != '+' || spec.plus || (num == "Inf" && sign == ' ');
      return pad(show || num == "Inf" ? std::string(1, sign) + num : num, spaces);
    }
    if (spec.plus || sign != '+') {
      if (spec.zero && spec.width > static_cast<int>(num.size()) + 1) {
        out_ += sign;
        out_.append(static_cast<size_t>(spec.width) - num.size() - 1, '0');
        out_ += num;
        return;
      }
      return pad(std::string(1, sign) + num, spec);
    }
    pad(num, spec);
  }

  void print_string(const Value& value, const Spec& spec) {
    std::string_view text = value.json().get_ref<const std::string&>();
    // A time.Time is a Stringer: %v and %s print its String().
    std::string time_text;
    if ((spec.verb == 'v' || spec.verb == 's') && is_time(value, types_)) {
      time_text = go_time_string(text);
      text = time_text;
    }
    if (spec.prec >= 0) {
      size_t runes = 0, i = 0;
      while (i < text.size() && runes < static_cast<size_t>(spec.prec)) {
        i += decode_rune(text, i).size;
        ++runes;
      }
      text = text.substr(0, i);
    }
    switch (spec.verb) {
      case 'v':
      case 's':
        return pad(text, spec);
      case 'q':
        return pad(go_quote(text, spec.plus), spec);
      case 'x':
      case 'X': {
        std::string hex;
        for (char c : text) {
          auto byte = static_cast<unsigned char>(c);
          hex += spec.verb == 'x' ? fmt::format("{:02x}", byte) : fmt::format("{:02X}", byte);
        }
        return pad(hex, spec);
      }
      default:
        return bad_verb(value, spec);
    }
  }

  void pad(std::string_view text, const Spec& spec) {
    size_t runes = rune_count(text);
    if (spec.width < 0 || static_cast<size_t>(spec.width) <= runes) {
      out_ += text;
      return;
    }
    size_t fill = static_cast<size_t>(spec.width) - runes;
    if (spec.minus) {
      out_ += text;
      out_.append(fill, ' ');
    } else {
      out_.append(fill, spec.zero ? '0' : ' ');
      out_ += text;
    }
  }

  const GoTypes& types_;
  std::string out_;
};

// Reads an int operand for a '*' width or precision.
bool int_from_arg(std::span<const Value> args, size_t& arg_num, int& result) {
  if (arg_num >= args.size()) return false;
  const Value& arg = args[arg_num++];
  if (arg.kind() != Kind::kInt) return false;
  auto value = to_int64(arg.json());
  if (!value || *value > 1000000 || *value < -1000000) return false;
  result = static_cast<int>(*value);
  return true;
}

// Go's parsenum: the decimal number at format[i], advancing i past it; `result` is left alone
// when there is none. A number that grows past 1e6 is "crazy long" for Go: it consumes the
// rest of the format (so the directive prints %!(NOVERB)) and is not used, which also keeps
// the int from overflowing.
void parse_num(std::string_view format, size_t& i, int& result) {
  int num = 0;
  bool present = false;
  for (; i < format.size() && format[i] >= '0' && format[i] <= '9'; ++i) {
    if (num > 1000000) {
      i = format.size();
      return;
    }
    num = num * 10 + (format[i] - '0');
    present = true;
  }
  if (present) result = num;
}

}  // namespace

std::string action_text(const Value& value, const GoTypes& types) {
  if (!value.valid()) return "<no value>";
  if (value.kind() == Kind::kNil) {
    switch (shape_of(value, types)) {
      case Shape::kMap:
        return "map[]";
      case Shape::kSlice:
        return "[]";
      case Shape::kPointer:
        return "<nil>";
      default:
        return "<no value>";
    }
  }
  Printer printer(types);
  printer.print_arg(value, Spec{});
  return std::move(printer.out());
}

std::string go_sprint(std::span<const Value> args, const GoTypes& types) {
  Printer printer(types);
  bool previous_string = false;
  for (size_t i = 0; i < args.size(); ++i) {
    bool is_string = args[i].kind() == Kind::kString;
    if (i > 0 && !is_string && !previous_string) printer.out() += ' ';
    printer.print_arg(args[i], Spec{});
    previous_string = is_string;
  }
  return std::move(printer.out());
}

std::string go_sprintln(std::span<const Value> args, const GoTypes& types) {
  Printer printer(types);
  for (size_t i = 0; i < args.size(); ++i) {
    if (i > 0) printer.out() += ' ';
    printer.print_arg(args[i], Spec{});
  }
  printer.out() += '\n';
  return std::move(printer.out());
}

std::string go_sprintf(std::string_view format, std::span<const Value> args, const GoTypes& types) {
  Printer printer(types);
  std::string& out = printer.out();
  size_t arg_num = 0;
  size_t i = 0;
  while (i < format.size()) {
    size_t percent = format.find('%', i);
    out += format.substr(i, percent == std::string_view::npos ? percent : percent - i);
    if (percent == std::string_view::npos) break;
    i = percent + 1;
    Spec spec;
    for (; i < format.size(); ++i) {
      char c = format[i];
      if (c == '#') {
        spec.sharp = true;
      } else if (c == '0') {
        spec.zero = !spec.minus;
      } else if (c == '+') {
        spec.plus = true;
      } else if (c == '-') {
        spec.minus = true, spec.zero = false;
      } else if (c == ' ') {
        spec.space = true;
      } else {
        break;
      }
    }
    if (i < format.size() && format[i] == '*') {
      ++i;
      if (!int_from_arg(args, arg_num, spec.width)) {
        out += "%!(BADWIDTH)";
        spec.width = -1;
      } else if (spec.width < 0) {
        spec.minus = true, spec.zero = false, spec.width = -spec.width;
      }
    } else {
      parse_num(format, i, spec.width);
    }
    if (i < format.size() && format[i] == '.') {
      ++i;
      if (i < format.size() && format[i] == '*') {
        ++i;
        if (!int_from_arg(args, arg_num, spec.prec)) {
          out += "%!(BADPREC)";
          spec.prec = -1;
        } else if (spec.prec < 0) {
          spec.prec = -1;
        }
      } else {
        spec.prec = 0;
        parse_num(format, i, spec.prec);
      }
    }
    if (i >= format.size()) {
      out += "%!(NOVERB)";
      break;
    }
    char32_t verb = decode_rune(format, i).rune;
    i += decode_rune(format, i).size;
    spec.verb = verb;
    if (verb == 'v') {
      // For %v, '+' asks for field names rather than signs; '#' (Go syntax) is not offered.
      spec.plus_v = spec.plus;
      spec.plus = false;
      spec.sharp = false;
    }
    if (verb == '%') {
      out += '%';
    } else if (arg_num >= args.size()) {
      out += "%!";
      append_rune(out, verb);
      out += "(MISSING)";
    } else {
      printer.print_arg(args[arg_num++], spec);
    }
  }
  if (arg_num < args.size()) {
    out += "%!(EXTRA ";
    for (size_t k = arg_num; k < args.size(); ++k) {
      if (k > arg_num) out += ", ";
      const Value& arg = args[k];
      if (arg.kind() == Kind::kNil && shape_of(arg, types) == Shape::kUndeclared) {
        out += "<nil>";
      } else {
        out += type_name(arg, types) + "=";
        printer.print_arg(arg, Spec{});
      }
    }
    out += ')';
  }
  return std::move(out);
}

}  // namespace schicht::gotemplate::tmpl
