#include "gotemplate/json.h"

#include <array>
#include <charconv>
#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "gotemplate/utf8.h"

namespace schicht::gotemplate {
namespace {

using Json = nlohmann::ordered_json;
using tmpl::DecodedRune;

// ASCII that encoding/json writes as it is; with escape_html also without '<', '>' and '&'.
constexpr std::array<bool, 128> plain_ascii(bool escape_html) {
  std::array<bool, 128> table{};
  for (int c = 0x20; c < 0x80; ++c) table[c] = c != '"' && c != '\\';
  if (escape_html) table['<'] = table['>'] = table['&'] = false;
  return table;
}
constexpr std::array<bool, 128> kPlain = plain_ascii(false);
constexpr std::array<bool, 128> kPlainHtml = plain_ascii(true);

void append_string(std::string& out, std::string_view s, bool escape_html) {
  const auto& plain = escape_html ? kPlainHtml : kPlain;
  out += '"';
  for (size_t i = 0; i < s.size();) {
    // Runs of plain ASCII, most of any string, are copied at once.
    size_t run = i;
    while (run < s.size() && static_cast<unsigned char>(s[run]) < 0x80 &&
           plain[static_cast<unsigned char>(s[run])]) {
      ++run;
    }
    out.append(s.substr(i, run - i));
    i = run;
    if (i == s.size()) break;
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c == '"' || c == '\\') {
        out += '\\';
        out += static_cast<char>(c);
      } else if (c == '\n') {
        out += "\\n";
      } else if (c == '\r') {
        out += "\\r";
      } else if (c == '\t') {
        out += "\\t";
      } else if (c < 0x20 || (escape_html && (c == '<' || c == '>' || c == '&'))) {
        // Go before 1.22 (podman 4.3) writes \b and \f this way too.
        out += fmt::format("\\u00{:02x}", c);
      } else {
        out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    DecodedRune decoded = tmpl::decode_rune(s, i);
    if (!decoded.valid) {
      out += "\\ufffd";
      ++i;
      continue;
    }
    size_t len = decoded.size;
    std::string_view rune = s.substr(i, len);
    if (rune == "\xe2\x80\xa8") {
      out += "\\u2028";
    } else if (rune == "\xe2\x80\xa9") {
      out += "\\u2029";
    } else {
      out += rune;
    }
    i += len;
  }
  out += '"';
}

// encoding/json's float64: plain notation from 1e-6 to 1e21, else exponent without padding.
void append_float(std::string& out, double value) {
  char buffer[512];
  double magnitude = std::fabs(value);
  bool exponent = magnitude != 0 && (magnitude < 1e-6 || magnitude >= 1e21);
  auto format = exponent ? std::chars_format::scientific : std::chars_format::fixed;
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value, format);
  std::string text(buffer, result.ptr);
  if (exponent) {
    size_t n = text.size();
    if (n >= 4 && text[n - 4] == 'e' && text[n - 3] == '-' && text[n - 2] == '0') {
      text.erase(n - 2, 1);  // e-07 -> e-7
    }
  }
  out += text;
}

void append_newline(std::string& out, const GoJsonStyle& style, int depth) {
  out += '\n';
  for (int i = 0; i < depth; ++i) out += style.indent;
}

void append_value(std::string& out, const Json& value, const GoJsonStyle& style, int depth) {
  bool pretty = !style.indent.empty();
  switch (value.type()) {
    case Json::value_t::null:
    case Json::value_t::discarded:
      out += "null";
      return;
    case Json::value_t::boolean:
      out += value.get<bool>() ? "true" : "false";
      return;
    case Json::value_t::number_integer:
      out += std::to_string(value.get<int64_t>());
      return;
    case Json::value_t::number_unsigned:
      out += std::to_string(value.get<uint64_t>());
      return;
    case Json::value_t::number_float:
      append_float(out, value.get<double>());
      return;
    case Json::value_t::string:
      append_string(out, value.get_ref<const std::string&>(), style.escape_html);
      return;
    case Json::value_t::binary:
      out += "null";
      return;
    case Json::value_t::array: {
      out += '[';
      if (value.empty()) {
        out += ']';
        return;
      }
      bool first = true;
      for (const auto& element : value) {
        if (!first) out += ',';
        first = false;
        if (pretty) append_newline(out, style, depth + 1);
        append_value(out, element, style, depth + 1);
      }
      if (pretty) append_newline(out, style, depth);
      out += ']';
      return;
    }
    case Json::value_t::object: {
      out += '{';
      if (value.empty()) {
        out += '}';
        return;
      }
      bool first = true;
      for (const auto& [key, element] : value.items()) {
        if (!first) out += ',';
        first = false;
        if (pretty) append_newline(out, style, depth + 1);
        append_string(out, key, style.escape_html);
        out += pretty ? ": " : ":";
        append_value(out, element, style, depth + 1);
      }
      if (pretty) append_newline(out, style, depth);
      out += '}';
      return;
    }
  }
}

}  // namespace

std::string go_json(const nlohmann::ordered_json& value, const GoJsonStyle& style) {
  std::string out;
  append_value(out, value, style, 0);
  return out;
}

}  // namespace schicht::gotemplate
