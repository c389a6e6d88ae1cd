// A fast path of the Go template engine for the templates podman's tables use: text and
// single-field actions inside one `{{range .}}` over the data, e.g.
// `{{range .}}{{.Repository}}\t{{.Tag}}\n{{end -}}`. Over rows whose named fields are all
// strings such a template prints exactly what the general evaluator prints (a string's %v is
// the string itself), without building a Value per row and per field; `images` at thousands of
// rows spends most of its time there otherwise.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "gotemplate/ast.h"
#include "gotemplate/tabwriter.h"

namespace schicht::gotemplate::tmpl {

struct RowPlan {
  std::string before, after;        // text outside the range
  std::vector<std::string> texts;   // texts[i] comes before fields[i]; one more text than fields
  std::vector<std::string> fields;  // top-level field names of a row
};

// The plan of `tree`, if it has the shape above (no variables, pipelines, functions, else).
std::optional<RowPlan> plan_rows(const Tree& tree);

// Appends the output of the planned template over `data` and returns true when `data` is an
// array of objects holding every planned field as a string; otherwise appends nothing and
// returns false, and the general evaluator must run.
bool execute_rows(const RowPlan& plan, const nlohmann::ordered_json& data, std::string& out);

// Prints the planned template over rows given as text: `cells` holds each row's fields in plan
// order, row after row. The output goes to `sink` a few kilobytes at a time, so that a table of
// thousands of rows is not held twice (here and in the tabwriter).
void execute_cells(const RowPlan& plan, std::span<const std::string_view> cells,
                   const std::function<void(std::string_view)>& sink);

// Writes what execute_cells prints into `writer`, cell by cell: rows of the tables' usual
// shape (fields joined by tabs, one line each) go in whole, the printed text is never built.
void tabulate_cells(const RowPlan& plan, std::span<const std::string_view> cells,
                    TabWriter& writer);

}  // namespace schicht::gotemplate::tmpl
