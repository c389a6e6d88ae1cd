#include "gotemplate/json.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace schicht::gotemplate {
namespace {

std::string as_json(std::string_view text, bool escape_html = true) {
  return go_json(nlohmann::ordered_json(std::string(text)),
                 GoJsonStyle{.escape_html = escape_html});
}

// What Go's encoding/json writes for each kind of byte, inside and between runs of plain text.
TEST(GoJson, StringsEscapeAsEncodingJson) {
  EXPECT_EQ(as_json(""), R"("")");
  EXPECT_EQ(as_json("plain text, longer than a word"), R"("plain text, longer than a word")");
  EXPECT_EQ(as_json("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(as_json("l1\nl2\r\tx"), R"("l1\nl2\r\tx")");
  EXPECT_EQ(as_json(std::string("\x01\x1f\b\f", 4)), R"("\u0001\u001f\u0008\u000c")");
  EXPECT_EQ(as_json("<a&b>"), R"("\u003ca\u0026b\u003e")");
  EXPECT_EQ(as_json("<a&b>", false), R"("<a&b>")");
  EXPECT_EQ(as_json("del\x7f"), "\"del\x7f\"");
  EXPECT_EQ(as_json("caf\xc3\xa9 \xf0\x9f\x98\x80!"), "\"caf\xc3\xa9 \xf0\x9f\x98\x80!\"");
  EXPECT_EQ(as_json("bad\xff\xc3z"), R"("bad\ufffd\ufffdz")");
  EXPECT_EQ(as_json("ls\xe2\x80\xa8ps\xe2\x80\xa9."), R"("ls\u2028ps\u2029.")");
}

}  // namespace
}  // namespace schicht::gotemplate
