// The plain-row fast path must print exactly what the general evaluator prints, and stand aside
// whenever a row does not qualify. `{{print .X}}` prints a string as `{{.X}}` does but is no
// plain field, so it runs the general evaluator over the same data for comparison.
#include "gotemplate/rows.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "gotemplate/parser.h"
#include "gotemplate/tabwriter.h"
#include "gotemplate/template.h"

namespace schicht::gotemplate {
namespace {

using nlohmann::ordered_json;

const GoTypes kRowTypes = {{"", "[]images.imageReporter"}, {"[]", "images.imageReporter"}};

ordered_json rows() {
  return ordered_json::array(
      {{{"Repository", "localhost/a"}, {"Tag", "1"}, {"ID", "abc"}},
       {{"Repository", "docker.io/library/b"}, {"Tag", "<none>"}, {"ID", "def"}},
       {{"Repository", "c\u00e9"}, {"Tag", ""}, {"ID", "0"}}});
}

std::string render(std::string_view text, const ordered_json& data) {
  return Template::parse(text, "images").render(data, kRowTypes);
}

bool planned(std::string_view text) {
  return tmpl::plan_rows(*tmpl::parse_tree(text, "images")).has_value();
}

TEST(TemplateRows, PlansOnlyTextAndPlainFieldsInOneRange) {
  EXPECT_TRUE(planned("{{range .}}{{.Repository}}\t{{.Tag}}\n{{end -}}"));
  EXPECT_TRUE(planned("head {{range .}}x{{end}} tail"));
  EXPECT_FALSE(planned("{{.Repository}}"));
  EXPECT_FALSE(planned("{{range .}}{{.Labels.a}}{{end}}"));
  EXPECT_FALSE(planned("{{range .}}{{print .Tag}}{{end}}"));
  EXPECT_FALSE(planned("{{range .}}{{.Tag | lower}}{{end}}"));
  EXPECT_FALSE(planned("{{range $i, $e := .}}{{.Tag}}{{end}}"));
  EXPECT_FALSE(planned("{{range .}}{{.Tag}}{{else}}none{{end}}"));
  EXPECT_FALSE(planned("{{range .}}{{if .Tag}}x{{end}}{{end}}"));
  EXPECT_FALSE(planned("{{range .}}a{{end}}{{range .}}b{{end}}"));
}

TEST(TemplateRows, PrintsWhatTheEvaluatorPrints) {
  for (const auto& data : {rows(), ordered_json::array()}) {
    EXPECT_EQ(render("<{{range .}}{{.Repository}}\t{{.Tag}}|{{.ID}}\n{{end -}}\n>", data),
              render("<{{range .}}{{print .Repository}}\t{{print .Tag}}|{{print .ID}}\n"
                     "{{end -}}\n>",
                     data));
  }
  EXPECT_EQ(render("{{range .}}{{.ID}},{{end}}", rows()), "abc,def,0,");
}

// Text cells go to the sink in pieces of a few kilobytes; together they are the whole output.
TEST(TemplateRows, CellsPrintInPiecesThatAddUpToTheOutput) {
  tmpl::RowPlan plan =
      *tmpl::plan_rows(*tmpl::parse_tree("<{{range .}}{{.ID}}\t{{.Tag}}\n{{end}}>", "t"));
  std::vector<std::string> cells;
  std::string expected = "<";
  for (int i = 0; i < 5000; ++i) {
    cells.push_back("id" + std::to_string(i));
    cells.push_back("tag");
    expected += "id" + std::to_string(i) + "\ttag\n";
  }
  expected += ">";
  std::vector<std::string_view> views(cells.begin(), cells.end());
  std::string out;
  int pieces = 0;
  tmpl::execute_cells(plan, views, [&](std::string_view text) {
    out += text;
    ++pieces;
  });
  EXPECT_EQ(out, expected);
  EXPECT_GT(pieces, 2);
  out.clear();
  tmpl::execute_cells(plan, {}, [&](std::string_view text) { out += text; });
  EXPECT_EQ(out, "<>");
}

// Cells given to a tabwriter print what their text written to it prints, whatever the plan's
// shape and whatever the cells hold (tabs, newlines, escapes and one-cell lines included).
TEST(TemplateRows, TabulatedCellsPrintWhatTheirTextPrints) {
  std::vector<std::string> cells = {
      "localhost/a", "1", "abc",          "", "<none>", "d\u00e9f", "x\ty",
      "z",           "0", "\xffq\tr\xff", "", "n\nm"};
  std::vector<std::string_view> views(cells.begin(), cells.end());
  for (std::string_view text :
       {"{{range .}}{{.Repository}}\t{{.Tag}}\t{{.ID}}\n{{end -}}",
        "head\n{{range .}}{{.Repository}}\t{{.Tag}}\t{{.ID}}\n{{end}}tail",
        "{{range .}}{{.Repository}}\t{{.Tag}}\t|\t{{.ID}}\n{{end -}}",
        "{{range .}}{{.Repository}}{{.Tag}}{{.ID}}\n{{end -}}",
        "{{range .}}{{.Repository}}\t{{.Tag}}\t{{.ID}}{{end -}}", "{{range .}}-{{end}}"}) {
    for (const auto& config :
         {TabWriterConfig{}, TabWriterConfig{.flags = TabWriter::kFilterHtml},
          TabWriterConfig{.flags = TabWriter::kStripEscape | TabWriter::kAlignRight}}) {
      tmpl::RowPlan plan = *tmpl::plan_rows(*tmpl::parse_tree(text, "t"));
      auto shown = plan.fields.empty() ? std::span<const std::string_view>() : std::span(views);
      std::string expected, text_out;
      tmpl::execute_cells(plan, shown, [&](std::string_view part) { text_out += part; });
      TabWriter joined(expected, config);
      joined.write(text_out);
      joined.flush();
      std::string out;
      TabWriter writer(out, config);
      tmpl::tabulate_cells(plan, shown, writer);
      writer.flush();
      EXPECT_EQ(out, expected) << text;
    }
  }
}

TEST(TemplateRows, StandsAsideForRowsThatDoNotQualify) {
  tmpl::RowPlan plan = *tmpl::plan_rows(*tmpl::parse_tree("{{range .}}{{.ID}}{{end}}", "t"));
  std::string out = "kept";
  ordered_json number = rows();
  number[1]["ID"] = 7;
  EXPECT_FALSE(tmpl::execute_rows(plan, number, out));
  ordered_json missing = rows();
  missing[2].erase("ID");
  EXPECT_FALSE(tmpl::execute_rows(plan, missing, out));
  EXPECT_FALSE(tmpl::execute_rows(plan, ordered_json::object(), out));
  EXPECT_FALSE(tmpl::execute_rows(plan, ordered_json::array({"text"}), out));
  EXPECT_EQ(out, "kept");
  // The evaluator then prints what Go prints: the number, and the missing field's error.
  EXPECT_EQ(render("{{range .}}{{.ID}};{{end}}", number), "abc;7;0;");
  EXPECT_THROW(render("{{range .}}{{.ID}};{{end}}", missing), Error);
}

}  // namespace
}  // namespace schicht::gotemplate
