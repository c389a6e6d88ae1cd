#include "cmdline/flags.h"

#include <charconv>
#include <optional>

#include <fmt/format.h>

#include "core/error.h"

namespace schicht::cmdline {

void FlagSet::add_bool(std::string name, char shorthand, bool* target, std::string help) {
  flags_.push_back({std::move(name), shorthand, Type::kBool, target, std::move(help)});
}
void FlagSet::add_string(std::string name, char shorthand, std::string* target, std::string help) {
  flags_.push_back({std::move(name), shorthand, Type::kString, target, std::move(help)});
}
void FlagSet::add_strings(std::string name, char shorthand, std::vector<std::string>* target,
                          std::string help) {
  flags_.push_back({std::move(name), shorthand, Type::kStrings, target, std::move(help)});
}
void FlagSet::add_int(std::string name, char shorthand, int64_t* target, std::string help) {
  flags_.push_back({std::move(name), shorthand, Type::kInt, target, std::move(help)});
}
void FlagSet::add_uint(std::string name, char shorthand, uint64_t* target, std::string help) {
  flags_.push_back({std::move(name), shorthand, Type::kUint, target, std::move(help)});
}
void FlagSet::add_ignored(std::string name, char shorthand, bool takes_value) {
  flags_.push_back({std::move(name), shorthand,
                    takes_value ? Type::kIgnoredValue : Type::kIgnoredBool, nullptr, ""});
}

void FlagSet::add(const FlagSpec& spec, void* options) {
  flags_.push_back({std::string(spec.name), spec.shorthand, spec.type,
                    spec.field != nullptr && options != nullptr ? spec.field(options) : nullptr,
                    std::string(spec.help)});
}

FlagSet::Flag* FlagSet::find_long(std::string_view name) {
  for (auto& f : flags_) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

FlagSet::Flag* FlagSet::find_short(char c) {
  for (auto& f : flags_) {
    if (f.shorthand == c && c != 0) return &f;
  }
  return nullptr;
}

bool FlagSet::changed(std::string_view name) const {
  for (const auto& f : flags_) {
    if (f.name == name) return f.changed;
  }
  return false;
}

namespace {

std::optional<bool> parse_bool(std::string_view v) {
  if (v == "1" || v == "t" || v == "T" || v == "true" || v == "TRUE" || v == "True") return true;
  if (v == "0" || v == "f" || v == "F" || v == "false" || v == "FALSE" || v == "False") {
    return false;
  }
  return std::nullopt;
}

// pflag names a flag in its errors as "-t, --time" when it has a shorthand.
std::string display_name(char shorthand, const std::string& name) {
  return shorthand != 0 ? fmt::format("-{}, --{}", shorthand, name) : "--" + name;
}

[[noreturn]] void bad_value(std::string_view value, char shorthand, const std::string& name,
                            std::string_view parser) {
  fail(ErrorKind::kInvalidInput,
       fmt::format("invalid argument \"{}\" for \"{}\" flag: strconv.{}: parsing \"{}\": "
                   "invalid syntax",
                   value, display_name(shorthand, name), parser, value));
}

template <typename T>
T parse_number(std::string_view value, char shorthand, const std::string& name,
               std::string_view parser) {
  T n = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc() || end != value.data() + value.size())
    bad_value(value, shorthand, name, parser);
  return n;
}

}  // namespace

void FlagSet::set(Flag& flag, std::string_view value) {
  flag.changed = true;
  switch (flag.type) {
    case Type::kBool: {
      auto b = parse_bool(value);
      if (!b) bad_value(value, flag.shorthand, flag.name, "ParseBool");
      *static_cast<bool*>(flag.target) = *b;
      break;
    }
    case Type::kString:
      *static_cast<std::string*>(flag.target) = value;
      break;
    case Type::kStrings:
      static_cast<std::vector<std::string>*>(flag.target)->emplace_back(value);
      break;
    case Type::kInt:
      *static_cast<int64_t*>(flag.target) =
          parse_number<int64_t>(value, flag.shorthand, flag.name, "ParseInt");
      break;
    case Type::kUint:
      *static_cast<uint64_t*>(flag.target) =
          parse_number<uint64_t>(value, flag.shorthand, flag.name, "ParseUint");
      break;
    case Type::kIgnoredBool:
    case Type::kIgnoredValue:
      break;
  }
}

// --name, --name=value, --name value; `i` moves past a value taken from the next argument.
void FlagSet::parse_long(std::span<const std::string> args, size_t& i) {
  std::string_view body = std::string_view(args[i]).substr(2);
  size_t eq = body.find('=');
  std::string_view name = body.substr(0, eq);
  Flag* flag = find_long(name);
  if (flag == nullptr) fail(ErrorKind::kInvalidInput, fmt::format("unknown flag: --{}", name));
  if (eq != std::string_view::npos) {
    set(*flag, body.substr(eq + 1));
  } else if (!flag->takes_value()) {
    set(*flag, "true");
  } else if (i + 1 < args.size()) {
    set(*flag, args[++i]);
  } else {
    fail(ErrorKind::kInvalidInput, fmt::format("flag needs an argument: --{}", name));
  }
}

// A shorthand group: -abc, -ovalue, -o value, -a=false.
void FlagSet::parse_shorthands(std::span<const std::string> args, size_t& i) {
  const std::string& arg = args[i];
  for (size_t j = 1; j < arg.size(); ++j) {
    Flag* flag = find_short(arg[j]);
    if (flag == nullptr) {
      fail(ErrorKind::kInvalidInput,
           fmt::format("unknown shorthand flag: '{}' in {}", arg[j], arg));
    }
    std::string_view rest = std::string_view(arg).substr(j + 1);
    if (!flag->takes_value()) {
      if (!rest.empty() && rest[0] == '=') {
        set(*flag, rest.substr(1));
        return;
      }
      set(*flag, "true");
      continue;
    }
    if (!rest.empty()) {
      set(*flag, rest[0] == '=' ? rest.substr(1) : rest);
    } else if (i + 1 < args.size()) {
      set(*flag, args[++i]);
    } else {
      fail(ErrorKind::kInvalidInput,
           fmt::format("flag needs an argument: '{}' in -{}", arg[j], arg[j]));
    }
    return;
  }
}

std::vector<std::string> FlagSet::parse(std::span<const std::string> args) {
  std::vector<std::string> positional;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      positional.insert(positional.end(), args.begin() + static_cast<long>(i) + 1, args.end());
      break;
    }
    if (arg.size() < 2 || arg[0] != '-') {
      if (!interspersed_) {
        positional.insert(positional.end(), args.begin() + static_cast<long>(i), args.end());
        break;
      }
      positional.push_back(arg);
    } else if (arg[1] == '-') {
      parse_long(args, i);
    } else {
      parse_shorthands(args, i);
    }
  }
  return positional;
}

std::vector<FlagSet::Info> FlagSet::visible(size_t first, size_t last) const {
  std::vector<Info> out;
  for (size_t i = first; i < flags_.size() && i < last; ++i) {
    const Flag& f = flags_[i];
    if (!f.help.empty()) out.push_back({f.name, f.shorthand, f.takes_value(), f.help});
  }
  return out;
}

std::string FlagSet::usage(size_t first, size_t last) const {
  std::string out;
  for (const auto& f : visible(first, last)) {
    std::string left = f.shorthand != 0 ? fmt::format("  -{}, --{}", f.shorthand, f.name)
                                        : fmt::format("      --{}", f.name);
    out += fmt::format("{:<34} {}\n", left, f.help);
  }
  return out;
}

void need_args(const std::vector<std::string>& args, size_t min, size_t max) {
  if (args.size() < min || args.size() > max) {
    fail(ErrorKind::kInvalidInput,
         min == max
             ? fmt::format("accepts {} arg(s), received {}", min, args.size())
             : fmt::format("requires at least {} arg(s), only received {}", min, args.size()));
  }
}

void check_args(const ArgRule& rule, size_t count) {
  using Check = ArgRule::Check;
  switch (rule.check) {
    case Check::kAny:
      return;
    case Check::kExact:
      if (count != rule.min) {
        fail(ErrorKind::kInvalidInput,
             fmt::format("accepts {} arg(s), received {}", rule.min, count));
      }
      return;
    case Check::kMin:
      if (count < rule.min) {
        fail(ErrorKind::kInvalidInput,
             fmt::format("requires at least {} arg(s), only received {}", rule.min, count));
      }
      return;
    case Check::kMax:
      if (count > rule.max) {
        fail(ErrorKind::kInvalidInput,
             fmt::format("accepts at most {} arg(s), received {}", rule.max, count));
      }
      return;
    case Check::kRange:
      if (count < rule.min || count > rule.max) {
        fail(ErrorKind::kInvalidInput, fmt::format("accepts between {} and {} arg(s), received {}",
                                                   rule.min, rule.max, count));
      }
      return;
  }
}

}  // namespace schicht::cmdline
