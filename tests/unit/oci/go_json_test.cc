#include "oci/go_json.h"

#include <gtest/gtest.h>

namespace schicht {
namespace {

std::string go_quote(std::string_view value) {
  std::string out;
  append_go_json_string(out, value);
  return out;
}

TEST(GoJsonTest, EscapesLikeGoEncodingJson) {
  EXPECT_EQ(go_quote("plain /path"), R"("plain /path")");
  EXPECT_EQ(go_quote("<a&b>"), R"("\u003ca\u0026b\u003e")");
  EXPECT_EQ(go_quote("q\"b\\"), R"("q\"b\\")");
  EXPECT_EQ(go_quote("\n\r\t"), R"("\n\r\t")");
  EXPECT_EQ(go_quote(std::string("\x00\x01\b\f\x1f\x7f", 6)), R"("\u0000\u0001\u0008\u000c\u001f)"
                                                            "\x7f\"");
  EXPECT_EQ(go_quote("é☃😀"), "\"é☃😀\"");
  EXPECT_EQ(go_quote("\u2028\u2029"), R"("\u2028\u2029")");
}

TEST(GoJsonTest, ReplacesInvalidUtf8BytePerByte) {
  EXPECT_EQ(go_quote("a\xff"
                   "b"),
            R"("a\ufffdb")");
  EXPECT_EQ(go_quote("\xc3"), R"("\ufffd")");                                // truncated sequence
  EXPECT_EQ(go_quote("\xc0\xaf"), R"("\ufffd\ufffd")");                      // overlong "/"
  EXPECT_EQ(go_quote("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")");            // surrogate
  EXPECT_EQ(go_quote("\xf4\x90\x80\x80"), R"("\ufffd\ufffd\ufffd\ufffd")");  // > U+10FFFF
}

TEST(GoJsonTest, WritesCompactStructures) {
  GoJsonWriter out;
  out.begin_object();
  out.key("a").integer(-3);
  out.key("b")
      .begin_array()
      .string("x")
      .boolean(true)
      .null()
      .begin_object()
      .end_object()
      .end_array();
  out.key("c").begin_object().end_object();
  out.end_object();
  EXPECT_EQ(out.str(), R"({"a":-3,"b":["x",true,null,{}],"c":{}})");
}

}  // namespace
}  // namespace schicht
