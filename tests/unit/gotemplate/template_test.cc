// Expected strings come from podman 4.3 runs (`podman images --format ...` over an image
// localhost/lab:1 with labels a=<b&c>, b="x y", zz=1), minus podman's appended newline.
#include "gotemplate/template.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/error.h"

namespace schicht::gotemplate {
namespace {

using nlohmann::ordered_json;

ordered_json lab_row() {
  return ordered_json{{"Repository", "localhost/lab"},
                      {"Tag", "1"},
                      {"ID", "9490d52f4970"},
                      {"Size", "11.4 kB"},
                      {"Names", {"localhost/lab:1"}},
                      {"Labels", {{"a", "<b&c>"}, {"b", "x y"}, {"zz", "1"}}},
                      {"Containers", 0}};
}

const GoTypes kImageTypes = {
    {"", "images.imageReporter"}, {"Labels", "map[string]string"}, {"Names", "[]string"}};

std::string render(std::string_view text, const ordered_json& data = lab_row(),
                   const GoTypes& types = kImageTypes) {
  return Template::parse(text, "images").render(data, types);
}

std::string error_of(std::string_view text, const ordered_json& data = lab_row(),
                     const GoTypes& types = kImageTypes) {
  try {
    render(text, data, types);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidInput);
    return e.what();
  }
  return "no error";
}

TEST(Template, TextAndFields) {
  EXPECT_EQ(render("plain"), "plain");
  EXPECT_EQ(render("{{.Repository}}:{{.Tag}}"), "localhost/lab:1");
  EXPECT_EQ(render("{{.Labels.a}}|{{.Labels.nope}}"), "<b&c>|<no value>");
  EXPECT_EQ(render("{{.Labels}}"), "map[a:<b&c> b:x y zz:1]");
  EXPECT_EQ(render("{{.Names}}"), "[localhost/lab:1]");
  EXPECT_EQ(render("{{.Containers}}"), "0");
}

TEST(Template, TrimMarkers) {
  EXPECT_EQ(render("x {{- \"y\" -}} z"), "xyz");
  EXPECT_EQ(render("x {{-3}} z"), "x -3 z");
  EXPECT_EQ(render("a\n  {{- .Tag}}  \n {{- .Tag -}}\n b"), "a11b");
  EXPECT_EQ(render("a {{- /* note */ -}} b{{/* x */}}"), "ab");
}

TEST(Template, Literals) {
  EXPECT_EQ(render("{{1.0}} {{1e6}} {{1.5}} {{0x10}} {{-3}} {{1e21}} {{123456789.0}}"),
            "1 1e+06 1.5 16 -3 1e+21 1.23456789e+08");
  EXPECT_EQ(render("{{'a'}}"), "97");
  EXPECT_EQ(render("{{ .5 }} {{ 5. }} {{ 1e3 }} {{ 0x1p4 }} {{0o17}} {{017}} {{1_000}} {{-0}}"),
            "0.5 5 1000 16 15 15 1000 0");
  EXPECT_EQ(render("{{`a\\nb`}}|{{\"a\\tb\"}}|{{true}}|{{print nil}}"), "a\\nb|a\tb|true|<nil>");
}

TEST(Template, Printf) {
  EXPECT_EQ(
      render(
          R"({{printf "%5.2f|%-6s|%06d|%x|%q|%v|%t|%d|%s" 3.14159 "ab" 42 255 "a\"b" .Names true "x" 5}})"),
      R"( 3.14|ab    |000042|ff|"a\"b"|[localhost/lab:1]|true|%!d(string=x)|%!s(int=5))");
  EXPECT_EQ(render(R"({{printf "%d %s"}}|{{printf "%d" 1 2}})"),
            "%!d(MISSING) %!s(MISSING)|1%!(EXTRA int=2)");
  EXPECT_EQ(
      render(
          R"({{printf "%q %x %X %5d|%-5d|%+d %e %g %8.3f %c %o %%" .Names "hi" 255 42 42 42 1234.5678 0.00001 3.14159 65 8}})"),
      R"(["localhost/lab:1"] 6869 FF    42|42   |+42 1.234568e+03 1e-05    3.142 A 10 %)");
  EXPECT_EQ(render(R"({{printf "%5s|%.2s|%-4v|%05s" "ab" "abcdef" true "x"}})"),
            "   ab|ab|true|0000x");
  EXPECT_EQ(render(R"({{printf "%v %v" .Labels nil}})"), "map[a:<b&c> b:x y zz:1] <nil>");
  EXPECT_EQ(render(R"({{printf "%s|%d" .Labels .Names}})"),
            "map[a:<b&c> b:x y zz:1]|[%!d(string=localhost/lab:1)]");
  EXPECT_EQ(render(R"({{.Size | printf "%d-%s" 3}})"), "3-11.4 kB");
  EXPECT_EQ(render(R"({{ .Tag | printf "%s-%s" "x" }})"), "x-1");
}

// Found by fuzz/template_fuzz: the width and precision overflowed an int. Go's parsenum gives
// up on a number past 1e6 and takes the rest of the format with it.
TEST(Template, PrintfHugeWidthOrPrecisionIsNoVerb) {
  EXPECT_EQ(render(R"({{printf "%44444444444444444510s|%d" "a" 1}})"),
            "%!(NOVERB)%!(EXTRA string=a, int=1)");
  EXPECT_EQ(render(R"({{printf "%.99999999999f|" 1.5}})"), "%!(NOVERB)%!(EXTRA float64=1.5)");
  EXPECT_EQ(render(R"({{printf "%1000000s|" "a"}})").size(), 1000001u);
}

TEST(Template, PrintAndPrintln) {
  EXPECT_EQ(render(R"({{print .ID 1 2 "a" "b" 3}})"), "9490d52f49701 2ab3");
  EXPECT_EQ(render(R"({{print nil}}|{{print 1.5 2}})"), "<nil>|1.5 2");
  EXPECT_EQ(render(R"({{println 1 "a" "b" 2}})"), "1 a b 2\n");
  EXPECT_EQ(render("{{println}}|{{print}}"), "\n|");
}

TEST(Template, PodmanFunctions) {
  EXPECT_EQ(render("{{pad .ID 1 1}}|"), " 9490d52f4970 |");
  EXPECT_EQ(render(R"({{title "hello wORLD foo_bar x-y"}})"), "Hello WORLD Foo_bar X-Y");
  EXPECT_EQ(render(R"({{split "a,b,c" ","}} {{join (split "a,b" ",") "+"}} {{len "héllo"}})"),
            "[a b c] a+b 6");
  EXPECT_EQ(render(R"({{json 1.5}} {{json "<a>"}} {{json .Size}} {{json nil}})"),
            R"(1.5 "<a>" "11.4 kB" null)");
  EXPECT_EQ(render("{{json .Labels}} {{json .Names}}"),
            R"({"a":"<b&c>","b":"x y","zz":"1"} ["localhost/lab:1"])");
  EXPECT_EQ(render("{{upper .Tag}}{{lower \"AbC\"}}{{truncate .ID 3}}|{{truncate .ID 100}}"),
            "1abc949|9490d52f4970");
}

TEST(Template, Builtins) {
  EXPECT_EQ(render("{{slice .ID 0 3}} {{slice .Names 0 1}}"), "949 [localhost/lab:1]");
  EXPECT_EQ(render(R"({{index .Labels "nope"}}|{{index .Names 0}}|{{index "abc" 1}})"),
            "|localhost/lab:1|98");
  EXPECT_EQ(render("{{len .Size}} {{len .Labels}} {{.Labels.a | len}}"), "7 3 5");
  EXPECT_EQ(render(R"({{eq "a" "b" "a"}} {{lt 1 2}} {{and 1 0 2}} {{or 0 "" "x"}} {{not ""}})"),
            "true true 0 x true");
  EXPECT_EQ(render("{{eq .Tag nil}} {{ne 1 2}} {{le 2 2}} {{gt 3 2}} {{ge \"a\" \"b\"}}"),
            "false true true true false");
  EXPECT_EQ(render("{{(index .Names 0)}} {{.Names | len | printf \"%d\"}}"), "localhost/lab:1 1");
}

TEST(Template, ControlFlow) {
  EXPECT_EQ(render("{{range $i, $e := .Names}}{{$i}}={{$e}}{{end}}"), "0=localhost/lab:1");
  EXPECT_EQ(render("{{range .Labels}}x{{else}}empty{{end}}"), "xxx");
  EXPECT_EQ(render("{{range .Nope2}}x{{else}}empty{{end}}", ordered_json{{"Nope2", nullptr}}),
            "empty");
  EXPECT_EQ(render("{{range $i, $e := .Labels}}{{$i}}={{$e}};{{end}}"), "a=<b&c>;b=x y;zz=1;");
  EXPECT_EQ(render("{{range $e := .Names}}{{$e}}{{break}}{{end}}"), "localhost/lab:1");
  EXPECT_EQ(render("{{range $k, $v := .Labels}}{{$k}}{{continue}}x{{end}}"), "abzz");
  EXPECT_EQ(render("{{with .Tag}}[{{.}}]{{end}}{{with .Labels.nope}}x{{else}}none{{end}}"),
            "[1]none");
  EXPECT_EQ(render(R"({{if eq .Tag "1"}}one{{else if eq .Tag "2"}}two{{else}}other{{end}})"),
            "one");
  EXPECT_EQ(render(R"({{if eq .Tag "3"}}one{{else if eq .Tag "1"}}two{{else}}other{{end}})"),
            "two");
  EXPECT_EQ(render("{{if .Labels}}L{{else}}N{{end}}"), "L");
  EXPECT_EQ(render("{{$x := \"a\"}}{{$x = \"b\"}}{{$x}}{{$.Tag}}"), "b1");
}

TEST(Template, DefineTemplateAndBlock) {
  EXPECT_EQ(render(R"({{define "t"}}[{{.Tag}}]{{end}}{{template "t" .}})"), "[1]");
  EXPECT_EQ(render(R"({{define "t"}}[{{.}}]{{end}}{{template "t" .Tag}}{{template "t"}})"),
            "[1][<no value>]");
  EXPECT_EQ(render(R"({{block "b" .Tag}}<{{.}}>{{end}})"), "<1>");
  EXPECT_EQ(render(R"({{define "t"}}  {{end}}{{define "t"}}y{{end}}{{template "t"}})"), "y");
  EXPECT_EQ(render(R"({{define "r"}}{{if .}}{{template "r" slice . 1}}{{.}},{{end}}{{end}})"
                   R"({{template "r" "abc"}})"),
            "c,bc,abc,");
  EXPECT_EQ(error_of(R"({{template "x"}})"),
            "template: images:1:11: executing \"images\" at <{{template \"x\"}}>: template \"x\" "
            "not defined");
  EXPECT_EQ(error_of(R"({{define "t"}}{{.Nope}}{{end}}{{template "t" .}})"),
            "template: images:1:16: executing \"t\" at <.Nope>: can't evaluate field Nope in type "
            "images.imageReporter");
  EXPECT_EQ(error_of(R"({{define "t"}}x{{end}}{{define "t"}}y{{end}})"),
            "template: images:1: template: multiple definition of template \"t\"");
}

TEST(Template, UnicodeCase) {
  EXPECT_EQ(render(R"({{lower "ÀB"}} {{title "élan vital"}} {{upper "straße ΐ"}})"),
            "àb Élan Vital STRAßE ΐ");
  EXPECT_EQ(render(R"({{lower "İSTANBUL ΣΑΣ"}} {{title "hello_world-foo bar.baz"}})"),
            "istanbul σασ Hello_world-Foo Bar.Baz");
  EXPECT_EQ(render(R"({{printf "%+q %q" "héllo" "\x00\u00a0é"}})"),
            R"("h\u00e9llo" "\x00\u00a0é")");
}

TEST(Template, GoValuePrinting) {
  ordered_json data = {{"Int", 42},       {"Neg", -7},        {"Float", 2.5},
                       {"Whole", 3.0},    {"Big", 1e21},      {"Bool", false},
                       {"Null", nullptr}, {"List", {1, "a"}}, {"Map", {{"b", 1}, {"a", nullptr}}}};
  EXPECT_EQ(render("{{.Int}} {{.Neg}} {{.Float}} {{.Whole}} {{.Big}} {{.Bool}}", data, {}),
            "42 -7 2.5 3 1e+21 false");
  EXPECT_EQ(render("{{.Null}}|{{.List}}|{{.Map}}", data, {}), "<no value>|[1 a]|map[a:<nil> b:1]");
  GoTypes typed = {{"Null", "map[string]string"}, {"Map", "config"}};
  EXPECT_EQ(render("{{.Null}}|{{.Map}}|{{printf \"%+v\" .Map}}", data, typed),
            "map[]|{1 <nil>}|{b:1 a:<nil>}");
  // nlohmann::json objects are seen in sorted order; an unordered input gives its own order.
  EXPECT_EQ(Template::parse("{{json .}}").render(nlohmann::json{{"b", 1}, {"a", 2}}),
            R"({"a":2,"b":1})");
  EXPECT_EQ(Template::parse("{{json .}}").render(ordered_json{{"b", 1}, {"a", 2}}),
            R"({"b":1,"a":2})");
}

TEST(Template, ExecutionErrorsNameTheNode) {
  EXPECT_EQ(error_of("{{.Nope}}"),
            "template: images:1:2: executing \"images\" at <.Nope>: can't evaluate field Nope in "
            "type images.imageReporter");
  EXPECT_EQ(error_of("a\nb {{.Tag}}\n  {{.Nope}}"),
            "template: images:3:4: executing \"images\" at <.Nope>: can't evaluate field Nope in "
            "type images.imageReporter");
  // An object without a declared type is still a struct: a missing field is an error.
  EXPECT_EQ(error_of("{{.X}}", ordered_json::object(), {}),
            "template: images:1:2: executing \"images\" at <.X>: can't evaluate field X in type "
            "interface {}");
}

// image-spec's History as podman's inspect sees it: Go field names over JSON keys, times that
// print as Go's Time.String() (checked against podman 4.3's `inspect --format`).
const GoTypes kHistoryTypes = {
    {"", "inspect.ImageData"},
    {"Created", "*time.Time"},
    {"History", "[]v1.History"},
    {"History[]", "v1.History"},
    {"History[]{}",
     "Created:created CreatedBy:created_by Author:author Comment:comment EmptyLayer:empty_layer"},
    {"History[].Created", "*time.Time"},
    {"History[].CreatedBy", "string"},
    {"History[].Author", "string"},
    {"History[].Comment", "string"},
    {"History[].EmptyLayer", "bool"}};

TEST(Template, StructLayoutsAndTimes) {
  ordered_json doc = {
      {"Created", "2026-01-01T00:00:00Z"},
      {"History",
       {{{"created", "2024-01-02T03:04:05.120Z"}, {"created_by", "RUN x"}},
        {{"created", "2024-01-02T03:04:05+05:30"}, {"comment", "c"}, {"empty_layer", true}},
        {{"created_by", "no time"}}}}};
  auto run = [&](std::string_view text) { return render(text, doc, kHistoryTypes); };
  EXPECT_EQ(run("{{.Created}}"), "2026-01-01 00:00:00 +0000 UTC");
  EXPECT_EQ(run("{{json .Created}}"), "\"2026-01-01T00:00:00Z\"");
  EXPECT_EQ(run("{{(index .History 0).CreatedBy}}"), "RUN x");
  EXPECT_EQ(run("{{index .History 0}}"), "{2024-01-02 03:04:05.12 +0000 UTC RUN x   false}");
  EXPECT_EQ(
      run("{{printf \"%+v\" (index .History 1)}}"),
      "{Created:2024-01-02 03:04:05 +0530 +0530 CreatedBy: Author: Comment:c EmptyLayer:true}");
  EXPECT_EQ(run("{{index .History 2}}"), "{<nil> no time   false}");
  EXPECT_EQ(run("{{range .History}}{{.EmptyLayer}}{{.Author}};{{end}}"), "false;true;false;");
  EXPECT_EQ(run("{{json (index .History 1)}}"),
            "{\"created\":\"2024-01-02T03:04:05+05:30\",\"comment\":\"c\",\"empty_layer\":true}");
  EXPECT_EQ(error_of("{{(index .History 0).created_by}}", doc, kHistoryTypes),
            "template: images:1:18: executing \"images\" at <0>: can't evaluate field created_by "
            "in type v1.History");
}

TEST(Template, ParseErrors) {
  EXPECT_EQ(error_of("{{nofunc .ID}}"), "template: images:1: function \"nofunc\" not defined");
  EXPECT_EQ(error_of("{{if}}x{{end}}"), "template: images:1: missing value for if");
  EXPECT_EQ(error_of("{{.ID | \"x\"}}"),
            "template: images:1: non executable command in pipeline stage 2");
  EXPECT_EQ(error_of("{{end}}"), "template: images:1: unexpected {{end}}");
  EXPECT_EQ(error_of("{{range .Names}}"), "template: images:1: unexpected EOF");
  EXPECT_EQ(error_of("{{$x}}"), "template: images:1: undefined variable \"$x\"");
  EXPECT_EQ(error_of("{{with $x := .Tag}}{{$x}}{{end}}{{$x}}"),
            "template: images:1: undefined variable \"$x\"");
  EXPECT_EQ(error_of("{{ /* c */ }}x"), "template: images:1: unexpected \"/\" in command");
  EXPECT_EQ(error_of("{{\"a\\qb\"}}"), "template: images:1: invalid syntax");
  EXPECT_EQ(error_of("{{.ID{{end}}"), "template: images:1: bad character U+007B '{'");
  EXPECT_EQ(error_of("x\n{{\"a\nb\"}}"), "template: images:2: unterminated quoted string");
  EXPECT_EQ(error_of("{{.ID"), "template: images:1: unclosed action");
  EXPECT_EQ(error_of("{{break}}"), "template: images:1: {{break}} outside {{range}}");
}

}  // namespace
}  // namespace schicht::gotemplate
