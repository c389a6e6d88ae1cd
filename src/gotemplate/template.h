// Go text/template, the subset podman's `--format` accepts, evaluated over JSON data.
//
// `Template::parse` reads a template; `render`/`execute` run it over JSON. Text, `{{ }}` actions
// with `{{-`/`-}}` trimming, comments, fields, variables, pipelines, parenthesised pipelines,
// literals, if/else if/else, range (with else, break, continue, `$i, $e :=`), with,
// define/template/block, and the functions podman offers (Go's builtins and, or, not, len, index,
// slice, eq, ne, lt, le, gt, ge, print, printf, println, plus podman's json, upper, lower, title,
// truncate, pad, join, split).
//
// JSON stands in for podman's Go values, so `GoTypes` tells which JSON objects were Go structs
// and which were maps: a struct's missing field is an error, a map's missing key prints
// "<no value>". Errors are `Error(kInvalidInput)` with Go's messages, e.g.
// `template: images:1:13: executing "images" at <.Nope>: can't evaluate field Nope in type X`.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace schicht::gotemplate {

// Go type names of the data's values, by field path. A path is the chain of field names from
// the data root joined with "." ("" is the root, "Config.Labels" is .Config.Labels) where an
// element of an array or a map adds "[]" ("[]" is a row of a list, "[].RepoTags[]" one tag).
//
// The name decides the rules for that value:
//   "map[...]..."  a Go map: a missing key prints <no value>, null prints "map[]";
//   "[]..."        a Go slice: null prints "[]";
//   "*T"           a pointer to struct T: null prints "<nil>", a field of null is an error;
//   anything else  for an object, a Go struct: a missing field is an error naming the type, and
//                  it prints as Go prints a struct, "{v1 v2}", in the object's key order.
//   "time.Time", "*time.Time"  an RFC 3339 string that prints as Go's Time.String().
// Objects with no entry are treated as structs of type "interface {}" but print as maps;
// values with no entry are named from their JSON kind ("string", "int64", "[]string", ...).
//
// A struct whose JSON keys are not its Go field names declares its layout under "PATH{}": the
// fields in the struct's order as "GoName:json_key" (or "Name" when they agree), separated by
// spaces, e.g. {"History[]{}", "Created:created CreatedBy:created_by ..."}. Templates then see
// the Go names (`{{.CreatedBy}}`), `{{json .}}` still the JSON, and a struct prints every field
// of the layout, a missing one as its declared zero value ("PATH.GoName" gives the type).
using GoTypes = std::map<std::string, std::string, std::less<>>;

class TabWriter;

namespace tmpl {
struct Tree;
struct RowPlan;
}  // namespace tmpl

class Template {
 public:
  // Parses `text`; `name` is the template name Go prints in errors (podman uses the command's
  // name, e.g. "images"). Throws Error(kInvalidInput) "template: NAME:LINE: MESSAGE".
  static Template parse(std::string_view text, std::string_view name = "template");

  // Runs the template over `data`. nlohmann::json objects are seen in sorted key order; pass an
  // ordered_json to keep a struct's field order (it shows in `{{json .}}` and `{{.}}`).
  std::string render(const nlohmann::json& data, const GoTypes& types = {}) const;
  std::string render(const nlohmann::ordered_json& data, const GoTypes& types = {}) const;

  // Like render, but appends to `out` as it goes, so the text written before an execution error
  // stays in `out` (podman prints that partial output before the error).
  void execute(std::string& out, const nlohmann::ordered_json& data,
               const GoTypes& types = {}) const;

  const std::string& name() const;

  // The fields of a template made only of text and {{.Field}} actions in one {{range .}}, in
  // the order they print; null for any other template.
  const std::vector<std::string>* plain_fields() const;
  // Runs such a template over rows given as their fields' text, row after row (`cells` holds
  // plain_fields()->size() strings a row): what execute prints for string fields.
  void execute_cells(std::span<const std::string_view> cells,
                     const std::function<void(std::string_view)>& sink) const;
  // What execute_cells prints, written into `writer` cell by cell (a table's rows are not
  // joined into text for the tabwriter to split again).
  void tabulate_cells(std::span<const std::string_view> cells, TabWriter& writer) const;

 private:
  explicit Template(std::shared_ptr<const tmpl::Tree> tree);

  std::shared_ptr<const tmpl::Tree> tree_;
  std::shared_ptr<const tmpl::RowPlan> rows_;  // set when the template is a plain row table
};

// Converts sorted-key JSON to ordered JSON, keeping the (sorted) order.
nlohmann::ordered_json to_ordered(const nlohmann::json& value);

}  // namespace schicht::gotemplate
