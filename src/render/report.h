// podman's report layer (containers/common/pkg/report): turns a command's rows into output for
// its `--format`, `--noheading` and default format, byte for byte as podman 4.3 prints them.
//
// What podman does, checked against podman 4.3:
//   * `json`, ` json `, `{{json .}}`, `{{ json . }}`, `{{json}}`: the rows as a JSON array,
//     MarshalIndent with 4 spaces (inspect uses 5), HTML characters escaped, then "\n";
//     an empty list prints "[]".
//   * "table " prefix: every "table " is removed, `\t` and `\n` escapes and every space become
//     tab and newline; the template runs once per row through the tabwriter (min width 12,
//     tab width 2, padding 2, pad ' ', flags 0). The header line comes from running the same
//     template over a map of field name -> header, so `{{.ID}}` gives "IMAGE ID", functions
//     apply to the header text (`{{lower .Repository}}` gives "repository") and a field with no
//     header prints "<no value>".
//   * any other user format: `\t`/`\n` escapes become tab/newline, a newline is appended unless
//     the format ends with one, and unless it has its own `{{range .}}...{{end}}` it runs once
//     per row; no tabwriter, no header.
//   * if the escaped format does not parse (`{{"\n"}}` turns into a broken string), podman
//     parses the format as given instead, without escapes and without the appended newline.
//   * the command's own default format always gets headers (unless --noheading) and the
//     tabwriter.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "gotemplate/template.h"

namespace schicht::render {

// The template engine the whole command line renders with.
using gotemplate::GoTypes;
using gotemplate::Template;
using gotemplate::to_ordered;

using HeaderMap = std::map<std::string, std::string, std::less<>>;

// What a command tells the report layer about its rows.
struct ReportSpec {
  std::string name;  // the command; Go's template name in errors, e.g. "images"
  // podman's format when the user gives none: "table ..." (run per row), or a template with its
  // own {{range .}} over the rows. Either way it gets headers and the tabwriter.
  std::string default_format;
  // Field name -> column header, as printed. Like podman's report.Headers, it should name every
  // field of the row struct (make_headers does the camel-case split); a field without an entry
  // prints "<no value>" in the header line, as podman does for images' computed CreatedSince.
  HeaderMap headers;
  GoTypes row_types;  // Go types of a row's fields by path; "" is the row itself
  int json_indent = 4;
};

struct ReportOptions {
  std::optional<std::string> format;  // --format, if given
  bool noheading = false;
};

// Appends the output for `rows` (a JSON array) to `out`. On a template error, `out` holds what
// podman prints before the error message, and the Error is rethrown.
void write_report(std::string& out, const ReportSpec& spec, const ReportOptions& options,
                  const nlohmann::ordered_json& rows);
void write_report(std::string& out, const ReportSpec& spec, const ReportOptions& options,
                  const nlohmann::json& rows);

// For long listings: when the format (the user's, or the command's default) is made only of
// text and {{.Field}} actions, as podman's defaults are, the fields it shows, in order. The
// command may then pass its rows as text to write_cells instead of building JSON rows.
// nullopt for JSON and for any other template.
std::optional<std::vector<std::string>> plain_fields(const ReportSpec& spec,
                                                     const ReportOptions& options);
// Prints what write_report prints for rows whose plain_fields are strings: `cells` holds each
// row's texts in plain_fields order, row after row. A table's cells go to the tabwriter as
// cells: its text is never joined up to be split at the tabs again.
void write_cells(std::string& out, const ReportSpec& spec, const ReportOptions& options,
                 std::span<const std::string_view> cells);

// Prints the report of `rows` to stdout for the user's --format (empty: the command's
// default), with what podman prints before a template error when one occurs.
void print_report(const ReportSpec& spec, const std::string& format, bool noheading,
                  const nlohmann::ordered_json& rows);

// Go's MarshalIndent of `value` with `indent` spaces, HTML-escaped ('<', '>', '&' as \u003c...),
// plus "\n".
std::string json_report(const nlohmann::ordered_json& value, int indent = 4);
// The same without HTML escaping, as podman's `inspect` writes (an encoder with
// SetEscapeHTML(false)).
std::string json_report_raw(const nlohmann::ordered_json& value, int indent = 4);
// json_report of an array, built element by element so that an element listed several times is
// serialized once: json_array_report of json_element texts is json_report of the array.
std::string json_element(const nlohmann::ordered_json& value, int indent = 4);
std::string json_array_report(std::span<const std::string* const> elements, int indent = 4);

// podman's report.Headers: each field's header is its name split at camel-case boundaries and
// upper-cased ("CreatedAt" -> "CREATED AT", "ID" -> "ID"); overrides are upper-cased.
HeaderMap make_headers(std::span<const std::string_view> fields, const HeaderMap& overrides = {});

// podman's report.IsJSON: the format asks for JSON output.
bool is_json_format(std::string_view format);

// podman's report.NormalizeFormat.
std::string normalize_format(std::string_view format);

// A user's --format for commands that run it once per object (inspect): normalized, or as
// given when the normalized text does not parse (podman turns `\n` into a newline even inside
// a quoted string such as printf's "%s\n").
Template parse_object_format(std::string_view format, std::string_view name);

// podman's report.EnforceRange: wraps the format in {{range .}}...{{end -}} unless it has its own.
std::string enforce_range(std::string_view format);

}  // namespace schicht::render
