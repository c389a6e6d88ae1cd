#include "builder/containerfile.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include <fmt/format.h>

#include "core/error.h"

namespace schicht::builder {
namespace {

constexpr std::array<std::string_view, 19> kKeywords = {
    "ADD",        "ARG",         "CMD",    "COPY",       "ENTRYPOINT", "ENV", "EXPOSE",
    "FROM",       "HEALTHCHECK", "LABEL",  "MAINTAINER", "ONBUILD",    "RUN", "SHELL",
    "STOPSIGNAL", "USER",        "VOLUME", "WORKDIR",    "CROSS"};

// Instructions whose leading `--name=value` words are options rather than arguments.
bool takes_flags(std::string_view keyword) {
  return keyword == "FROM" || keyword == "RUN" || keyword == "COPY" || keyword == "ADD" ||
         keyword == "HEALTHCHECK";
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

// `# key=value` at the top of the file, before anything else; nullopt for any other line.
std::optional<std::pair<std::string, std::string>> directive(std::string_view line) {
  line = trim(line);
  if (line.empty() || line.front() != '#') return std::nullopt;
  line = trim(line.substr(1));
  size_t eq = line.find('=');
  if (eq == std::string_view::npos) return std::nullopt;
  std::string key = lower(trim(line.substr(0, eq)));
  if (key.empty() || !std::all_of(key.begin(), key.end(), [](char c) {
        return std::isalpha(static_cast<unsigned char>(c));
      })) {
    return std::nullopt;
  }
  return std::make_pair(key, std::string(trim(line.substr(eq + 1))));
}

// Whether the line ends in the escape character (after trailing white space): a continuation.
bool continues(std::string_view line, char escape, std::string_view* without) {
  std::string_view t = line;
  while (!t.empty() && is_space(t.back())) t.remove_suffix(1);
  if (t.empty() || t.back() != escape) return false;
  t.remove_suffix(1);
  *without = t;
  return true;
}

bool is_comment(std::string_view line) {
  line = trim(line);
  return !line.empty() && line.front() == '#';
}

std::optional<std::vector<std::string>> parse_exec_form(std::string_view args) {
  if (args.empty() || args.front() != '[') return std::nullopt;
  try {
    auto parsed = nlohmann::json::parse(args);
    if (!parsed.is_array()) return std::nullopt;
    std::vector<std::string> out;
    for (const auto& item : parsed) {
      if (!item.is_string()) return std::nullopt;
      out.push_back(item.get<std::string>());
    }
    return out;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;  // Docker reads a malformed array as shell-form text
  }
}

Instruction parse_instruction(std::string_view text, int line, const std::string& path) {
  Instruction ins;
  ins.line = line;
  ins.original = std::string(trim(text));
  std::string_view rest = ins.original;
  size_t end = 0;
  while (end < rest.size() && !is_space(rest[end])) ++end;
  std::string_view keyword = rest.substr(0, end);
  ins.keyword = upper(keyword);
  if (std::find(kKeywords.begin(), kKeywords.end(), ins.keyword) == kKeywords.end() ||
      ins.keyword == "CROSS") {
    fail(ErrorKind::kInvalidInput,
         at_line(path, line, fmt::format("unknown instruction: {}", ins.keyword)));
  }
  rest = trim(rest.substr(end));
  if (takes_flags(ins.keyword)) {
    while (rest.size() > 2 && rest.substr(0, 2) == "--") {
      size_t e = 0;
      while (e < rest.size() && !is_space(rest[e])) ++e;
      ins.flags.emplace_back(rest.substr(0, e));
      rest = trim(rest.substr(e));
    }
  }
  ins.args = std::string(rest);
  ins.exec_form = parse_exec_form(ins.args);
  return ins;
}

void check_stage_name(const std::string& name, int line, const std::string& path) {
  bool ok = !name.empty() && std::isalpha(static_cast<unsigned char>(name[0]));
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.')
      ok = false;
  }
  if (!ok) {
    fail(ErrorKind::kInvalidInput,
         at_line(path, line, fmt::format("invalid name for build stage: {:?}", name)));
  }
}

Stage make_stage(Instruction from, int index, const std::string& path) {
  Stage stage;
  stage.index = index;
  std::vector<std::string> words;
  std::string_view rest = from.args;
  while (!rest.empty()) {
    size_t e = 0;
    while (e < rest.size() && !is_space(rest[e])) ++e;
    words.emplace_back(rest.substr(0, e));
    rest = trim(rest.substr(e));
  }
  if (words.empty()) {
    fail(ErrorKind::kInvalidInput,
         at_line(path, from.line, "FROM requires either one or three arguments"));
  }
  if (words.size() == 3 && upper(words[1]) == "AS") {
    stage.name = lower(words[2]);
    check_stage_name(stage.name, from.line, path);
  } else if (words.size() != 1) {
    fail(ErrorKind::kInvalidInput,
         at_line(path, from.line, "FROM requires either one or three arguments"));
  }
  stage.base = words[0];
  stage.from = std::move(from);
  return stage;
}

}  // namespace

std::string at_line(const std::string& path, int line, std::string_view message) {
  return fmt::format("{}:{}: {}", path, line, message);
}

std::optional<std::string> Instruction::flag(std::string_view name) const {
  std::optional<std::string> value;
  std::string prefix = fmt::format("--{}=", name);
  for (const auto& f : flags) {
    if (f.rfind(prefix, 0) == 0) value = f.substr(prefix.size());
    if (f == fmt::format("--{}", name)) value = "";
  }
  return value;
}

const Stage* Containerfile::find_stage(std::string_view name) const {
  std::string wanted = lower(name);
  for (const auto& stage : stages) {
    if (!stage.name.empty() && stage.name == wanted) return &stage;
  }
  // A stage by number; digits too many for a number name no stage either.
  size_t i = 0;
  auto [end, error] = std::from_chars(wanted.data(), wanted.data() + wanted.size(), i);
  if (!wanted.empty() && error == std::errc() && end == wanted.data() + wanted.size() &&
      i < stages.size()) {
    return &stages[i];
  }
  return nullptr;
}

Containerfile parse_containerfile(std::string_view text, const std::string& path) {
  Containerfile file;
  file.path = path;
  auto lines = split_lines(text);
  size_t i = 0;
  // Directives: only at the very top, each key once; anything else ends them.
  for (; i < lines.size(); ++i) {
    auto d = directive(lines[i]);
    if (!d) break;
    if (d->first == "escape") {
      if (d->second != "\\" && d->second != "`") {
        fail(ErrorKind::kInvalidInput,
             at_line(path, static_cast<int>(i + 1),
                     fmt::format("invalid escape token '{}' does not match ` or \\", d->second)));
      }
      file.escape = d->second[0];
    } else if (d->first == "syntax") {
      file.syntax = d->second;
    } else {
      break;  // an unknown directive is a comment, and ends the directives
    }
  }
  i = 0;  // directives are comments to the instruction reader
  while (i < lines.size()) {
    std::string_view line = lines[i];
    if (trim(line).empty() || is_comment(line)) {
      ++i;
      continue;
    }
    int first = static_cast<int>(i + 1);
    std::string joined;
    std::string_view without;
    for (;;) {
      if (!continues(line, file.escape, &without)) {
        joined += line;
        ++i;
        break;
      }
      joined += without;
      ++i;
      // Comment lines and empty lines inside a continuation are dropped, as Docker does.
      while (i < lines.size() && (is_comment(lines[i]) || trim(lines[i]).empty())) ++i;
      if (i >= lines.size()) break;
      line = lines[i];
    }
    Instruction ins = parse_instruction(joined, first, path);
    if (ins.keyword == "FROM") {
      file.stages.push_back(make_stage(std::move(ins), static_cast<int>(file.stages.size()), path));
    } else if (file.stages.empty()) {
      if (ins.keyword != "ARG") {
        fail(ErrorKind::kInvalidInput, at_line(path, first, "no build stage in current context"));
      }
      file.global_args.push_back(std::move(ins));
    } else {
      file.stages.back().instructions.push_back(std::move(ins));
    }
  }
  if (file.stages.empty()) {
    fail(ErrorKind::kInvalidInput, fmt::format("{}: no FROM statement found", path));
  }
  for (size_t a = 0; a < file.stages.size(); ++a) {
    for (size_t b = 0; b < a; ++b) {
      if (!file.stages[a].name.empty() && file.stages[a].name == file.stages[b].name) {
        fail(ErrorKind::kInvalidInput,
             at_line(path, file.stages[a].from.line,
                     fmt::format("duplicate name for build stage: {:?}", file.stages[a].name)));
      }
    }
  }
  return file;
}

}  // namespace schicht::builder
