#include "gotemplate/strconv.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "gotemplate/utf8.h"

namespace schicht::gotemplate::tmpl {
namespace {

// Go's unicode.IsPrint, approximated: controls, format characters and non-ASCII spaces are not.
bool is_printable(char32_t r) {
  if (r < 0x20 || (r >= 0x7f && r <= 0xa0) || r == 0xad) return false;
  if ((r >= 0x2000 && r <= 0x200f) || (r >= 0x2028 && r <= 0x202f) ||
      (r >= 0x205f && r <= 0x206f)) {
    return false;
  }
  return r != 0x3000 && r != 0xfeff && !(r >= 0xfff9 && r <= 0xfffb) && r != 0x1680;
}

void append_quoted_rune(std::string& out, char32_t r, char quote, bool ascii_only) {
  static constexpr std::string_view kControls = "\a\b\f\n\r\t\v";
  static constexpr std::string_view kLetters = "abfnrtv";
  if (r == static_cast<char32_t>(quote) || r == '\\') {
    out += '\\';
    out += static_cast<char>(r);
  } else if (is_printable(r) && !(ascii_only && r >= 0x80)) {
    append_rune(out, r);
  } else if (size_t k = r < 0x80 ? kControls.find(static_cast<char>(r)) : std::string_view::npos;
             k != std::string_view::npos) {
    out += '\\';
    out += kLetters[k];
  } else if (r < ' ' || r == 0x7f) {
    out += fmt::format("\\x{:02x}", static_cast<uint32_t>(r));
  } else if (r < 0x10000) {
    out += fmt::format("\\u{:04x}", static_cast<uint32_t>(r));
  } else {
    out += fmt::format("\\U{:08x}", static_cast<uint32_t>(r));
  }
}

std::string to_chars_string(double value, std::chars_format format, int precision = -1) {
  char buffer[512];
  auto result = precision < 0
                    ? std::to_chars(buffer, buffer + sizeof buffer, value, format)
                    : std::to_chars(buffer, buffer + sizeof buffer, value, format, precision);
  return std::string(buffer, result.ptr);
}

}  // namespace

std::string go_quote(std::string_view text, bool ascii_only) {
  std::string out = "\"";
  for (size_t i = 0; i < text.size();) {
    DecodedRune decoded = decode_rune(text, i);
    if (!decoded.valid) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(text[i]));
    } else {
      append_quoted_rune(out, decoded.rune, '"', ascii_only);
    }
    i += decoded.size;
  }
  return out + "\"";
}

std::string go_quote_rune(char32_t rune, bool ascii_only) {
  if (rune > 0x10ffff || (rune >= 0xd800 && rune < 0xe000)) rune = kRuneError;
  std::string out = "'";
  append_quoted_rune(out, rune, '\'', ascii_only);
  return out + "'";
}

std::string go_format_float(double value, char verb, int prec) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char lower = static_cast<char>(verb | 0x20);
  std::string text;
  if (lower == 'e') {
    text = to_chars_string(value, std::chars_format::scientific, prec);
  } else if (lower == 'f') {
    text = to_chars_string(value, std::chars_format::fixed, prec);
  } else if (prec < 0) {
    text = go_float_v(value);
  } else {
    text = fmt::format("{:.{}g}", value, prec == 0 ? 1 : prec);
  }
  if (verb == 'E' || verb == 'G') std::replace(text.begin(), text.end(), 'e', 'E');
  return text;
}

std::string go_float_v(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  std::string scientific = to_chars_string(value, std::chars_format::scientific);
  int exponent = std::stoi(scientific.substr(scientific.find('e') + 1));
  if (exponent < -4 || exponent >= 6) return scientific;
  return to_chars_string(value, std::chars_format::fixed);
}

}  // namespace schicht::gotemplate::tmpl
