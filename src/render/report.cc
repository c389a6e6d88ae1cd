#include "render/report.h"

#include <fmt/format.h>

#include <regex>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "gotemplate/json.h"
#include "gotemplate/tabwriter.h"

namespace schicht::render {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::string_view kTablePrefix = "table ";
constexpr std::string_view kGoSpace = " \t\n\f\r";  // Go regexp's \s

std::string_view trim_go_space(std::string_view s) {
  size_t start = s.find_first_not_of(kGoSpace);
  if (start == std::string_view::npos) return {};
  return s.substr(start, s.find_last_not_of(kGoSpace) - start + 1);
}

// strings.NewReplacer semantics: scan once, at each position the first pattern that matches.
std::string replace_all(std::string_view text,
                        std::span<const std::pair<std::string_view, std::string_view>> patterns) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    bool matched = false;
    for (const auto& [from, to] : patterns) {
      if (text.substr(i).starts_with(from)) {
        out += to;
        i += from.size();
        matched = true;
        break;
      }
    }
    if (!matched) out += text[i++];
  }
  return out;
}

// The row types are relative to a row; the template's data is the list of rows.
GoTypes list_types(const GoTypes& row_types) {
  GoTypes types;
  for (const auto& [path, name] : row_types) {
    types[path.empty() ? "[]" : "[]." + path] = name;
  }
  if (auto row = row_types.find(""); row != row_types.end()) types[""] = "[]" + row->second;
  return types;
}

// podman turns `\n` escapes into newlines even inside quoted strings, which breaks
// `{{"\n"}}`; when the escaped format does not parse it parses the format as given.
Template parse_with_fallback(const std::string& normalized, const std::string& original,
                             std::string_view name) {
  try {
    return Template::parse(normalized, name);
  } catch (const Error&) {
    return Template::parse(original, name);
  }
}

}  // namespace

Template parse_object_format(std::string_view format, std::string_view name) {
  return parse_with_fallback(normalize_format(format), std::string(format), name);
}

namespace {

// Runs `tmpl` over `data` into `sink`; on an error, what was written still reaches the sink.
template <typename Sink>
void run_into(Sink&& sink, const Template& tmpl, const Json& data, const GoTypes& types) {
  std::string text;
  try {
    tmpl.execute(text, data, types);
  } catch (const Error&) {
    sink(text);
    throw;
  }
  sink(text);
}

}  // namespace

bool is_json_format(std::string_view format) {
  std::string_view s = trim_go_space(format);
  if (s == "json") return true;
  if (!s.starts_with("{{") || !s.ends_with("}}") || s.size() < 4) return false;
  std::string_view inner = trim_go_space(s.substr(2, s.size() - 4));
  if (!inner.starts_with("json")) return false;
  inner = trim_go_space(inner.substr(4));
  if (inner.starts_with(".")) inner = trim_go_space(inner.substr(1));
  return inner.empty();
}

std::string normalize_format(std::string_view format) {
  static constexpr std::pair<std::string_view, std::string_view> kTable[] = {
      {"table ", ""}, {"\\t", "\t"}, {"\\n", "\n"}, {" ", "\t"}};
  static constexpr std::pair<std::string_view, std::string_view> kEscapes[] = {{"\\t", "\t"},
                                                                               {"\\n", "\n"}};
  std::string text = format.starts_with(kTablePrefix) ? replace_all(format, kTable)
                                                      : replace_all(format, kEscapes);
  if (!text.ends_with('\n')) text += '\n';
  return text;
}

std::string enforce_range(std::string_view format) {
  static const std::regex kRange(R"(\{\{[ \t\n\f\r]*range[ \t\n\f\r]*\.[ \t\n\f\r]*\}\}[\s\S]*)"
                                 R"(\{\{[ \t\n\f\r]*end[ \t\n\f\r]*-?[ \t\n\f\r]*\}\})");
  std::string text(format);
  if (std::regex_search(text, kRange)) return text;
  return "{{range .}}" + text + "{{end -}}";
}

HeaderMap make_headers(std::span<const std::string_view> fields, const HeaderMap& overrides) {
  auto upper = [](std::string s) {
    for (char& c : s) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    return s;
  };
  // Character classes of camel-case splitting: lower, upper, digit, other.
  auto class_of = [](char c) {
    if (c >= 'a' && c <= 'z') return 1;
    if (c >= 'A' && c <= 'Z') return 2;
    if (c >= '0' && c <= '9') return 3;
    return 4;
  };
  HeaderMap headers;
  for (std::string_view field : fields) {
    std::vector<std::string> runs;
    int last = 0;
    for (char c : field) {
      int cls = class_of(c);
      if (cls == last) {
        runs.back() += c;
      } else {
        runs.emplace_back(1, c);
      }
      last = cls;
    }
    // "PDFLoader" splits as "PDF" "Loader": an upper run gives its last letter to a lower run.
    for (size_t i = 0; i + 1 < runs.size(); ++i) {
      if (class_of(runs[i][0]) == 2 && class_of(runs[i + 1][0]) == 1) {
        runs[i + 1].insert(runs[i + 1].begin(), runs[i].back());
        runs[i].pop_back();
      }
    }
    std::string header;
    for (const auto& run : runs) {
      if (run.empty()) continue;
      if (!header.empty()) header += ' ';
      header += run;
    }
    headers[std::string(field)] = upper(header);
  }
  for (const auto& [field, header] : overrides) headers[field] = upper(header);
  return headers;
}

std::string json_report(const nlohmann::ordered_json& value, int indent) {
  std::string spaces(static_cast<size_t>(std::max(indent, 0)), ' ');
  return gotemplate::go_json(value,
                             gotemplate::GoJsonStyle{.escape_html = true, .indent = spaces}) +
         "\n";
}

std::string json_report_raw(const nlohmann::ordered_json& value, int indent) {
  std::string spaces(static_cast<size_t>(std::max(indent, 0)), ' ');
  return gotemplate::go_json(value,
                             gotemplate::GoJsonStyle{.escape_html = false, .indent = spaces}) +
         "\n";
}

std::string json_element(const nlohmann::ordered_json& value, int indent) {
  std::string spaces(static_cast<size_t>(std::max(indent, 0)), ' ');
  std::string text =
      gotemplate::go_json(value, gotemplate::GoJsonStyle{.escape_html = true, .indent = spaces});
  // One level deeper, inside the array.
  std::string out;
  out.reserve(text.size() + text.size() / 4);
  for (size_t start = 0; start < text.size();) {
    size_t newline = text.find('\n', start);
    if (newline == std::string::npos) newline = text.size() - 1;
    out.append(text, start, newline + 1 - start);
    if (text[newline] == '\n') out += spaces;
    start = newline + 1;
  }
  return out;
}

std::string json_array_report(std::span<const std::string* const> elements, int indent) {
  if (elements.empty()) return "[]\n";
  std::string spaces(static_cast<size_t>(std::max(indent, 0)), ' ');
  size_t size = 4;
  for (const auto* element : elements) size += element->size() + spaces.size() + 2;
  std::string out;
  out.reserve(size);
  out += '[';
  for (const auto* element : elements) {
    out += out.size() == 1 ? "\n" : ",\n";
    out += spaces;
    out += *element;
  }
  out += "\n]\n";
  return out;
}

void write_report(std::string& out, const ReportSpec& spec, const ReportOptions& options,
                  const nlohmann::json& rows) {
  write_report(out, spec, options, to_ordered(rows));
}

namespace {

// The format as podman runs it: its template, and whether it goes through the tabwriter with a
// header line.
struct PreparedFormat {
  Template tmpl;
  bool tabular;
};

PreparedFormat prepare_format(const ReportSpec& spec, const ReportOptions& options) {
  bool from_user = options.format.has_value();
  const std::string& text = from_user ? *options.format : spec.default_format;
  std::string normalized, original;
  bool table = text.starts_with(kTablePrefix);
  if (table) {
    normalized = "{{range .}}" + normalize_format(text) + "{{end -}}";
    original = "{{range .}}" + text.substr(kTablePrefix.size()) + "{{end -}}";
  } else if (from_user) {
    normalized = enforce_range(normalize_format(text));
    original = enforce_range(text);
  } else {
    normalized = normalize_format(text);
    original = text;
  }
  return PreparedFormat{parse_with_fallback(normalized, original, spec.name), table || !from_user};
}

// How big a table will be, when the caller knows it in advance (see TabWriter::reserve).
struct TableSize {
  size_t lines = 0, cells = 0, bytes = 0;
};

// Writes the rows through `write_rows(sink)` (or, into the tabwriter, `tabulate(writer)`),
// behind the header line and through the tabwriter when the format is tabular.
template <typename WriteRows, typename Tabulate>
void write_prepared(std::string& out, const ReportSpec& spec, const ReportOptions& options,
                    const PreparedFormat& format, WriteRows&& write_rows, Tabulate&& tabulate,
                    TableSize size = {}) {
  if (!format.tabular) {
    write_rows([&](std::string_view part) { out += part; });
    return;
  }
  gotemplate::TabWriter writer(out);
  writer.reserve(size.lines, size.cells, size.bytes);
  auto sink = [&](std::string_view part) { writer.write(part); };
  try {
    if (!options.noheading) {
      Json header_row = Json::object();
      for (const auto& [field, header] : spec.headers) header_row[field] = header;
      run_into(sink, format.tmpl, Json::array({header_row}), {{"[]", "map[string]string"}});
    }
    tabulate(writer);
  } catch (const Error&) {
    writer.flush();
    throw;
  }
  writer.flush();
}

}  // namespace

void write_report(std::string& out, const ReportSpec& spec, const ReportOptions& options,
                  const nlohmann::ordered_json& rows) {
  if (options.format && is_json_format(*options.format)) {
    out += json_report(rows, spec.json_indent);
    return;
  }
  PreparedFormat format = prepare_format(spec, options);
  GoTypes row_types = list_types(spec.row_types);
  auto write_rows = [&](auto&& sink) { run_into(sink, format.tmpl, rows, row_types); };
  write_prepared(out, spec, options, format, write_rows, [&](gotemplate::TabWriter& writer) {
    write_rows([&](std::string_view part) { writer.write(part); });
  });
}

std::optional<std::vector<std::string>> plain_fields(const ReportSpec& spec,
                                                     const ReportOptions& options) {
  if (options.format && is_json_format(*options.format)) return std::nullopt;
  PreparedFormat format = prepare_format(spec, options);
  const std::vector<std::string>* fields = format.tmpl.plain_fields();
  if (fields == nullptr) return std::nullopt;
  return *fields;
}

void write_cells(std::string& out, const ReportSpec& spec, const ReportOptions& options,
                 std::span<const std::string_view> cells) {
  PreparedFormat format = prepare_format(spec, options);
  size_t columns = std::max<size_t>(format.tmpl.plain_fields()->size(), 1);
  TableSize size{.lines = cells.size() / columns + 1, .cells = cells.size() + columns};
  for (const auto& cell : cells) size.bytes += cell.size();
  size.bytes += 16 * size.lines;  // the template's own text and the header
  write_prepared(
      out, spec, options, format,
      [&](auto&& sink) {
        format.tmpl.execute_cells(cells, [&](std::string_view text) { sink(text); });
      },
      [&](gotemplate::TabWriter& writer) { format.tmpl.tabulate_cells(cells, writer); }, size);
}

void print_report(const ReportSpec& spec, const std::string& format, bool noheading,
                  const nlohmann::ordered_json& rows) {
  ReportOptions options;
  if (!format.empty()) options.format = format;
  options.noheading = noheading;
  std::string out;
  try {
    write_report(out, spec, options, rows);
  } catch (const Error&) {
    fmt::print("{}", out);
    throw;
  }
  fmt::print("{}", out);
}

}  // namespace schicht::render
