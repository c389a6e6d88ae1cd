#include "builder/ignore.h"

#include <fmt/format.h>

#include <regex>
#include "core/error.h"

namespace schicht::builder {
namespace {

std::string clean(std::string_view text) {
  std::string s = fs::path(std::string(text)).lexically_normal().string();
  while (!s.empty() && s.front() == '/') s.erase(0, 1);
  while (!s.empty() && s.back() == '/') s.pop_back();
  if (s == ".") s.clear();
  return s;
}

// The glob as a regular expression: `**/` any directories (also none), `**` anything, `*` and
// `?` within one component, `[...]` a class.
std::regex to_regex(std::string_view glob) {
  std::string re;
  for (size_t i = 0; i < glob.size(); ++i) {
    char c = glob[i];
    if (c == '*' && i + 1 < glob.size() && glob[i + 1] == '*') {
      ++i;
      if (i + 1 < glob.size() && glob[i + 1] == '/') {
        ++i;
        re += "(.*/)?";
      } else {
        re += ".*";
      }
    } else if (c == '*') {
      re += "[^/]*";
    } else if (c == '?') {
      re += "[^/]";
    } else if (c == '[') {
      size_t close = glob.find(']', i + 1);
      if (close == std::string_view::npos) {
        re += "\\[";
        continue;
      }
      std::string cls(glob.substr(i + 1, close - i - 1));
      if (!cls.empty() && cls[0] == '!') cls[0] = '^';
      re += "[" + cls + "]";
      i = close;
    } else if (c == '\\' && i + 1 < glob.size()) {
      re += '\\';
      re += glob[++i];
    } else if (std::string_view(".^$|()+{}").find(c) != std::string_view::npos) {
      re += '\\';
      re += c;
    } else {
      re += c;
    }
  }
  try {
    return std::regex(re, std::regex::ECMAScript);
  } catch (const std::regex_error&) {
    fail(ErrorKind::kInvalidInput, fmt::format("invalid ignore pattern {:?}", glob));
  }
}

}  // namespace

IgnoreRules IgnoreRules::load(const fs::path& context_dir) {
  for (const char* name : {".containerignore", ".dockerignore"}) {
    fs::path path = context_dir / name;
    std::error_code ec;
    if (fs::is_regular_file(path, ec)) return parse(read_file(path));
  }
  return {};
}

IgnoreRules IgnoreRules::parse(std::string_view text) {
  IgnoreRules rules;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
      line.remove_suffix(1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty() || line.front() == '#') continue;
    Pattern p;
    if (line.front() == '!') {
      p.exclude = false;
      line.remove_prefix(1);
    }
    p.glob = clean(line);
    if (!p.glob.empty()) {
      p.regex = to_regex(p.glob);
      rules.patterns_.push_back(std::move(p));
    }
    if (end == text.size()) break;
  }
  return rules;
}

bool IgnoreRules::ignored(std::string_view rel) const {
  bool out = false;
  for (const auto& p : patterns_) {
    // A pattern matching a parent directory matches everything beneath it.
    bool hit = false;
    std::string_view path = rel;
    for (;;) {
      if (std::regex_match(path.begin(), path.end(), p.regex)) {
        hit = true;
        break;
      }
      size_t slash = path.rfind('/');
      if (slash == std::string_view::npos) break;
      path = path.substr(0, slash);
    }
    if (hit) out = p.exclude;
  }
  return out;
}

}  // namespace schicht::builder
