// Expected output is what `podman images --format ...` (podman 4.3) printed for three images:
// localhost/tiny:latest and docker.io/library/averyveryverylongname/xx:v1.2.3-long (one image)
// and localhost/lab:1 (labels a=<b&c>, b="x y", zz=1).
#include "render/report.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/error.h"

namespace schicht::render {
namespace {

using nlohmann::ordered_json;

ordered_json image_rows() {
  ordered_json tiny_names = {"localhost/tiny:latest",
                             "docker.io/library/averyveryverylongname/xx:v1.2.3-long"};
  return ordered_json::array({
      {{"Repository", "localhost/tiny"},
       {"Tag", "latest"},
       {"ID", "eb27c12b0479"},
       {"Size", "11.3 kB"},
       {"Names", tiny_names},
       {"Labels", nullptr}},
      {{"Repository", "docker.io/library/averyveryverylongname/xx"},
       {"Tag", "v1.2.3-long"},
       {"ID", "eb27c12b0479"},
       {"Size", "11.3 kB"},
       {"Names", tiny_names},
       {"Labels", nullptr}},
      {{"Repository", "localhost/lab"},
       {"Tag", "1"},
       {"ID", "9490d52f4970"},
       {"Size", "11.4 kB"},
       {"Names", {"localhost/lab:1"}},
       {"Labels", {{"a", "<b&c>"}, {"b", "x y"}, {"zz", "1"}}}},
  });
}

ReportSpec images_spec() {
  constexpr std::string_view kFields[] = {"Repository", "Tag", "ID", "Size", "Names", "Labels"};
  return ReportSpec{
      .name = "images",
      .default_format = "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.Size}}\n",
      .headers = make_headers(kFields, {{"ID", "image id"}}),
      .row_types = {{"", "images.imageReporter"},
                    {"Labels", "map[string]string"},
                    {"Names", "[]string"}},
  };
}

std::string report(std::optional<std::string> format, bool noheading = false,
                   const ordered_json& rows = image_rows()) {
  std::string out;
  write_report(out, images_spec(), ReportOptions{std::move(format), noheading}, rows);
  return out;
}

// The output printed before the error, and the error message.
std::pair<std::string, std::string> failing_report(std::string format) {
  std::string out;
  try {
    write_report(out, images_spec(), ReportOptions{std::move(format), false}, image_rows());
  } catch (const Error& e) {
    return {out, e.what()};
  }
  return {out, "no error"};
}

TEST(Report, DefaultFormatIsATableWithHeaders) {
  EXPECT_EQ(report(std::nullopt),
            "REPOSITORY                                  TAG          IMAGE ID      SIZE\n"
            "localhost/tiny                              latest       eb27c12b0479  11.3 kB\n"
            "docker.io/library/averyveryverylongname/xx  v1.2.3-long  eb27c12b0479  11.3 kB\n"
            "localhost/lab                               1            9490d52f4970  11.4 kB\n");
  EXPECT_EQ(report(std::nullopt, true, ordered_json::array()), "");
  EXPECT_EQ(report(std::nullopt, false, ordered_json::array()),
            "REPOSITORY  TAG         IMAGE ID    SIZE\n");
}

TEST(Report, TableSpacesBecomeColumns) {
  EXPECT_EQ(report("table {{.ID}} {{.Size}}"),
            "IMAGE ID      SIZE\neb27c12b0479  11.3 kB\neb27c12b0479  11.3 kB\n"
            "9490d52f4970  11.4 kB\n");
  EXPECT_EQ(report("table {{.Tag}}\\t{{.Size}}\\t{{.Repository}}"),
            "TAG          SIZE        REPOSITORY\n"
            "latest       11.3 kB     localhost/tiny\n"
            "v1.2.3-long  11.3 kB     docker.io/library/averyveryverylongname/xx\n"
            "1            11.4 kB     localhost/lab\n");
  EXPECT_EQ(report("table  {{.ID}}"),
            "            IMAGE ID\n            eb27c12b0479\n            eb27c12b0479\n"
            "            9490d52f4970\n");
  EXPECT_EQ(report("table {{.ID}} table {{.Tag}}"),
            "IMAGE ID      TAG\neb27c12b0479  latest\neb27c12b0479  v1.2.3-long\n"
            "9490d52f4970  1\n");
  EXPECT_EQ(report("table ID:{{.ID}} {{\"x y\"}}"),
            "ID:IMAGE ID      x           y\nID:eb27c12b0479  x           y\n"
            "ID:eb27c12b0479  x           y\nID:9490d52f4970  x           y\n");
  EXPECT_EQ(report("table {{.ID}}\\t{{.Tag}}", true),
            "eb27c12b0479  latest\neb27c12b0479  v1.2.3-long\n9490d52f4970  1\n");
}

TEST(Report, HeadersGoThroughTheTemplate) {
  EXPECT_EQ(
      report("table {{.ID}}\\t{{json .Names}}\\t{{upper .Tag}}\\t{{truncate .ID 3}}\\t"
             "{{lower .Repository}}"),
      "IMAGE ID      \"NAMES\"                                                                   "
      "          TAG          IMA         repository\n"
      "eb27c12b0479  [\"localhost/tiny:latest\",\"docker.io/library/averyveryverylongname/xx:"
      "v1.2.3-long\"]  LATEST       eb2         localhost/tiny\n"
      "eb27c12b0479  [\"localhost/tiny:latest\",\"docker.io/library/averyveryverylongname/xx:"
      "v1.2.3-long\"]  V1.2.3-LONG  eb2         docker.io/library/averyveryverylongname/xx\n"
      "9490d52f4970  [\"localhost/lab:1\"]                                                      "
      "           1            949         localhost/lab\n");
  EXPECT_EQ(report("table json"), "json\njson\njson\njson\n");
}

TEST(Report, TableColumnBlocks) {
  EXPECT_EQ(report("table {{.Tag}}\\t{{if eq .Tag \"latest\"}}{{.ID}}\\t{{end}}{{.Repository}}"),
            "TAG          REPOSITORY\n"
            "latest       eb27c12b0479  localhost/tiny\n"
            "v1.2.3-long  docker.io/library/averyveryverylongname/xx\n"
            "1            localhost/lab\n");
  EXPECT_EQ(report("table {{.Tag}}\\t{{.Repository}}\\n{{.ID}}"),
            "TAG         REPOSITORY\nIMAGE ID\nlatest      localhost/tiny\neb27c12b0479\n"
            "v1.2.3-long  docker.io/library/averyveryverylongname/xx\neb27c12b0479\n"
            "1           localhost/lab\n9490d52f4970\n");
  EXPECT_EQ(report("table {{.Tag}}\\t\\t{{.ID}}\\t"),
            "TAG                      IMAGE ID      \nlatest                   eb27c12b0479  \n"
            "v1.2.3-long              eb27c12b0479  \n1                        9490d52f4970  \n");
  EXPECT_EQ(report("table {{.Tag}}\\v{{.ID}}\\t{{.Tag}}"),
            "TAG\\vIMAGE ID              TAG\nlatest\\veb27c12b0479       latest\n"
            "v1.2.3-long\\veb27c12b0479  v1.2.3-long\n1\\v9490d52f4970            1\n");
}

TEST(Report, PlainFormatsPrintOneLinePerRow) {
  EXPECT_EQ(report("{{.ID}} {{.Tag}}\\t{{.Repository}}"),
            "eb27c12b0479 latest\tlocalhost/tiny\n"
            "eb27c12b0479 v1.2.3-long\tdocker.io/library/averyveryverylongname/xx\n"
            "9490d52f4970 1\tlocalhost/lab\n");
  EXPECT_EQ(report("{{.ID}}\\n"), "eb27c12b0479\neb27c12b0479\n9490d52f4970\n");
  EXPECT_EQ(report("x{{.ID}}\\tz\\n\\n"),
            "xeb27c12b0479\tz\n\nxeb27c12b0479\tz\n\nx9490d52f4970\tz\n\n");
  EXPECT_EQ(report("table"), "table\ntable\ntable\n");
  EXPECT_EQ(report("table{{.ID}}"), "tableeb27c12b0479\ntableeb27c12b0479\ntable9490d52f4970\n");
  EXPECT_EQ(report("{{.ID}}", false, ordered_json::array()), "");
}

TEST(Report, UserRangeRunsOnce) {
  EXPECT_EQ(report("{{range .}}{{.ID}}{{end}}"), "eb27c12b0479eb27c12b04799490d52f4970\n");
  EXPECT_EQ(report("{{range .}}{{.ID}}{{end -}}"), "eb27c12b0479eb27c12b04799490d52f4970");
  EXPECT_EQ(report("{{ range . }}{{.ID}}{{ end }}"), "eb27c12b0479eb27c12b04799490d52f4970\n");
  EXPECT_EQ(report("x{{range .}}{{.ID}},{{end}}y"), "xeb27c12b0479,eb27c12b0479,9490d52f4970,y\n");
}

TEST(Report, EscapesFallBackWhenTheyBreakTheTemplate) {
  EXPECT_EQ(report("{{\"a\\nb\"}}x"), "a\nbxa\nbxa\nbx");
  EXPECT_EQ(report("{{.ID}}{{\"\\\\n\"}}"), "eb27c12b0479\\neb27c12b0479\\n9490d52f4970\\n");
  EXPECT_EQ(report("{{`a\\nb`}}"), "a\nb\na\nb\na\nb\n");
  EXPECT_EQ(report("{{\"a\\tb\"}}"), "a\tb\na\tb\na\tb\n");
  EXPECT_EQ(report("{{.ID}}{{\"\\n\"}}"), "eb27c12b0479\neb27c12b0479\n9490d52f4970\n");
}

TEST(Report, JsonOutput) {
  ordered_json rows = ordered_json::array({{{"Id", "abc"},
                                            {"Labels", {{"a", "<b&c>"}}},
                                            {"Names", ordered_json::array()},
                                            {"RepoTags", nullptr},
                                            {"Size", 11331}}});
  std::string expected = R"([
    {
        "Id": "abc",
        "Labels": {
            "a": "\u003cb\u0026c\u003e"
        },
        "Names": [],
        "RepoTags": null,
        "Size": 11331
    }
]
)";
  for (const char* format : {"json", " json ", "{{json .}}", "{{ json . }}", "{{json}}"}) {
    EXPECT_EQ(report(format, false, rows), expected) << format;
  }
  EXPECT_EQ(report("json", false, ordered_json::array()), "[]\n");
  EXPECT_EQ(report("JSON", false, ordered_json::array({ordered_json::object()})), "JSON\n");
  EXPECT_EQ(json_report(ordered_json::array({{{"a", 1}}}), 5),
            "[\n     {\n          \"a\": 1\n     }\n]\n");
}

TEST(Report, JsonArrayElementByElementIsTheArrayReport) {
  ordered_json rows = ordered_json::array(
      {{{"Id", "abc"}, {"Labels", {{"a", "<b&c>"}}}, {"Names", {"x", "y"}}, {"Empty", {}}},
       ordered_json::object(),
       {{"List", ordered_json::array({ordered_json::array(), 1.5, nullptr})}}});
  for (int indent : {4, 2}) {
    std::vector<std::string> texts;
    for (const auto& row : rows) texts.push_back(json_element(row, indent));
    std::vector<const std::string*> elements{&texts[0], &texts[1], &texts[2]};
    EXPECT_EQ(json_array_report(elements, indent), json_report(rows, indent));
    elements.insert(elements.begin(), &texts[0]);  // an element twice, as for two names
    ordered_json twice = rows;
    twice.insert(twice.begin(), rows[0]);
    EXPECT_EQ(json_array_report(elements, indent), json_report(twice, indent));
  }
  EXPECT_EQ(json_array_report({}), json_report(ordered_json::array()));
}

TEST(Report, ErrorsKeepTheOutputBeforeThem) {
  auto [out, error] = failing_report("table {{.Tag}}\\t{{.Nope}}");
  EXPECT_EQ(out, "TAG         <no value>\nlatest");
  EXPECT_EQ(error,
            "template: images:1:22: executing \"images\" at <.Nope>: can't evaluate field Nope in "
            "type images.imageReporter");
  std::tie(out, error) = failing_report("{{.Nope}}");
  EXPECT_EQ(out, "");
  EXPECT_EQ(error,
            "template: images:1:13: executing \"images\" at <.Nope>: can't evaluate field Nope in "
            "type images.imageReporter");
  EXPECT_EQ(failing_report("a\\n{{.ID}}\\n{{.ID").second,
            "template: images:1: bad character U+007B '{'");
  EXPECT_EQ(failing_report("{{\"a\\qb\"}}").second, "template: images:1: invalid syntax");
}

// Messages as podman printed them; positions count the {{range .}} podman wraps around.
TEST(Report, ExecutionErrorsMatchPodman) {
  struct Case {
    const char* format;
    const char* message;
  };
  const Case cases[] = {
      {"{{eq .Size 11387}}",
       "1:13: executing \"images\" at <eq .Size 11387>: error calling eq: incompatible types for "
       "comparison"},
      {"{{eq .Names .Names}}",
       "1:13: executing \"images\" at <eq .Names .Names>: error calling eq: non-comparable type "
       "[localhost/tiny:latest docker.io/library/averyveryverylongname/xx:v1.2.3-long]: "
       "[]string"},
      {"{{lt true false}}",
       "1:13: executing \"images\" at <lt true false>: error calling lt: invalid type for "
       "comparison"},
      {"{{join .Labels \",\"}}",
       "1:18: executing \"images\" at <.Labels>: wrong type for value; expected []string; got "
       "map[string]string"},
      {"{{upper .Names}}",
       "1:19: executing \"images\" at <.Names>: wrong type for value; expected string; got "
       "[]string"},
      {"{{printf \"%d\" \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" | eq 3}}",
       "1:61: executing \"images\" at <eq 3>: error calling eq: incompatible types for "
       "comparison"},
      {"{{upper 5}}", "1:19: executing \"images\" at <5>: expected string; found 5"},
      {"{{truncate .ID \"3\"}}",
       "1:26: executing \"images\" at <\"3\">: expected integer; found \"3\""},
      {"{{upper .Labels.nope}}",
       "1:26: executing \"images\" at <.Labels.nope>: invalid value; expected string"},
      {"{{index .Labels 3}}",
       "1:13: executing \"images\" at <index .Labels 3>: error calling index: value has type "
       "int; should be string"},
      {"{{len .Labels.nope}}",
       "1:13: executing \"images\" at <len .Labels.nope>: error calling len: reflect: call of "
       "reflect.Value.Type on zero Value"},
      {"{{3 4}}", "1:13: executing \"images\" at <3>: can't give argument to non-function 3"},
      {"{{range .ID}}x{{end}}",
       "1:19: executing \"images\" at <.ID>: range can't iterate over eb27c12b0479"},
      {"{{index .Names 2}}",
       "1:13: executing \"images\" at <index .Names 2>: error calling index: reflect: slice "
       "index out of range"},
      {"{{index .Names 5}}",
       "1:13: executing \"images\" at <index .Names 5>: error calling index: index out of range: "
       "5"},
      {"{{and}}",
       "1:13: executing \"images\" at <and>: wrong number of args for and: want at least 1 got "
       "0"},
      {"{{not 1 2}}",
       "1:13: executing \"images\" at <not>: wrong number of args for not: want 1 got 2"},
      {"{{ .Tag.a.b.c }}",
       "1:18: executing \"images\" at <.Tag.a.b.c>: can't evaluate field a in type string"},
      {"{{$x := .Names}}{{$x.a.b}}",
       "1:31: executing \"images\" at <$x.a.b>: can't evaluate field a in type []string"},
      {"{{(.Tag).a.b}}",
       "1:14: executing \"images\" at <.Tag>: can't evaluate field a in type string"},
      {"{{or .Nope2 \"x\"}}",
       "1:16: executing \"images\" at <.Nope2>: can't evaluate field Nope2 in type "
       "images.imageReporter"},
      {"{{. | len}}",
       "1:17: executing \"images\" at <len>: error calling len: len of type "
       "images.imageReporter"},
      {"{{.Labels.a 1}}",
       "1:20: executing \"images\" at <.Labels.a>: a is not a method but has arguments"},
      {"{{slice .Labels 0}}",
       "1:13: executing \"images\" at <slice .Labels 0>: error calling slice: can't slice item "
       "of type map[string]string"},
      {"{{len nil}}",
       "1:13: executing \"images\" at <len nil>: error calling len: reflect: call of "
       "reflect.Value.Type on zero Value"},
      {"{{index .Labels \"a\" \"b\"}}",
       "1:13: executing \"images\" at <index .Labels \"a\" \"b\">: error calling index: cannot "
       "index slice/array with type string"},
      {"{{template \"x\"}}",
       "1:22: executing \"images\" at <{{template \"x\"}}>: template \"x\" not defined"},
      {"{{range $i, $e := .}}{{$e.ID}}{{end}}",
       "1:29: executing \"images\" at <.>: range can't iterate over {localhost/tiny latest "
       "eb27c12b0479 11.3 kB [localhost/tiny:latest "
       "docker.io/library/averyveryverylongname/xx:v1.2.3-long] map[]}"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(failing_report(c.format).second, std::string("template: images:") + c.message)
        << c.format;
  }
}

TEST(Report, NilMapsPrintEmpty) {
  EXPECT_EQ(
      report("{{.Labels}}|{{len .Labels}}|{{index .Labels \"x\"}}|{{.Labels.x}}|"
             "{{if .Labels}}T{{else}}F{{end}}"),
      "map[]|0||<no value>|F\nmap[]|0||<no value>|F\nmap[a:<b&c> b:x y zz:1]|3||<no value>|T\n");
}

TEST(Report, ParseErrorsMatchPodman) {
  EXPECT_EQ(failing_report("{{nofunc .ID}}").second,
            "template: images:1: function \"nofunc\" not defined");
  EXPECT_EQ(failing_report("{{.ID | \"x\"}}").second,
            "template: images:1: non executable command in pipeline stage 2");
  EXPECT_EQ(failing_report("{{ /* c */ }}x").second,
            "template: images:1: unexpected \"/\" in command");
  EXPECT_EQ(failing_report("{{with $x := .Tag}}{{$x}}{{end}}{{$x}}").second,
            "template: images:1: undefined variable \"$x\"");
  EXPECT_EQ(failing_report("{{$.}}").second, "template: images:1: unexpected <.> in operand");
}

TEST(Report, FormatHelpers) {
  EXPECT_EQ(normalize_format("table {{.ID}} {{.ID}}"), "{{.ID}}\t{{.ID}}\n");
  EXPECT_EQ(normalize_format("{{.ID}}\\t{{.ID}}"), "{{.ID}}\t{{.ID}}\n");
  EXPECT_EQ(normalize_format("{{.ID}} {{.ID}}\n"), "{{.ID}} {{.ID}}\n");
  EXPECT_EQ(enforce_range("foobar"), "{{range .}}foobar{{end -}}");
  EXPECT_EQ(enforce_range("{{range .}}x{{end}}"), "{{range .}}x{{end}}");
  EXPECT_EQ(enforce_range("{{- range .}}x{{- end}}"),
            "{{range .}}{{- range .}}x{{- end}}{{end -}}");
  EXPECT_TRUE(is_json_format("\t{{ json .}}\n"));
  EXPECT_FALSE(is_json_format("{{- json . -}}"));
  EXPECT_FALSE(is_json_format("{{json .Names}}"));
  constexpr std::string_view kFields[] = {"CreatedAt",   "ID",        "ReadOnly",
                                          "VirtualSize", "PDFLoader", "Version2"};
  HeaderMap headers = make_headers(kFields, {{"ReadOnly", "r/o"}});
  EXPECT_EQ(headers["CreatedAt"], "CREATED AT");
  EXPECT_EQ(headers["ID"], "ID");
  EXPECT_EQ(headers["ReadOnly"], "R/O");
  EXPECT_EQ(headers["VirtualSize"], "VIRTUAL SIZE");
  EXPECT_EQ(headers["PDFLoader"], "PDF LOADER");
  EXPECT_EQ(headers["Version2"], "VERSION 2");
}

}  // namespace
}  // namespace schicht::render

namespace schicht::render {
namespace {

// Text cells print what JSON rows print, for every kind of plain format; other formats have no
// plain fields.
TEST(Report, CellsPrintWhatRowsPrint) {
  for (std::optional<std::string> format :
       {std::optional<std::string>(), std::optional<std::string>("table {{.ID}} {{.Repository}}"),
        std::optional<std::string>("{{.Repository}}:{{.Tag}}"),
        std::optional<std::string>("table {{.Tag}}\\t{{.Size}} | {{.ID}}")}) {
    for (bool noheading : {false, true}) {
      ReportOptions options{format, noheading};
      auto fields = plain_fields(images_spec(), options);
      ASSERT_TRUE(fields.has_value()) << format.value_or("default");
      std::vector<std::string> cells;
      for (const auto& row : image_rows()) {
        for (const auto& field : *fields) cells.push_back(row[field].get<std::string>());
      }
      std::vector<std::string_view> views(cells.begin(), cells.end());
      std::string out;
      write_cells(out, images_spec(), options, views);
      EXPECT_EQ(out, report(format, noheading)) << format.value_or("default");
    }
  }
  EXPECT_FALSE(plain_fields(images_spec(), ReportOptions{"json", false}));
  EXPECT_FALSE(plain_fields(images_spec(), ReportOptions{"{{.Labels.a}}", false}));
  EXPECT_FALSE(plain_fields(images_spec(), ReportOptions{"{{upper .Tag}}", false}));
}

}  // namespace
}  // namespace schicht::render
