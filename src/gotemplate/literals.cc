#include "gotemplate/literals.h"

#include <charconv>
#include <limits>
#include <optional>

#include <fmt/format.h>

#include "gotemplate/utf8.h"

namespace schicht::gotemplate::tmpl {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes the escape after a backslash at s[i], advancing i, as strconv.UnquoteChar does.
bool unescape(std::string_view s, size_t& i, char quote, std::string& out) {
  static constexpr std::string_view kLetters = "abfnrtv\\";
  static constexpr std::string_view kValues = "\a\b\f\n\r\t\v\\";
  if (i >= s.size()) return false;
  char c = s[i++];
  if (size_t k = kLetters.find(c); k != std::string_view::npos) {
    out += kValues[k];
    return true;
  }
  if (c == '\'' || c == '"') {
    if (c != quote) return false;  // only the literal's own quote is escaped
    out += c;
    return true;
  }
  int base = c == 'x' || c == 'u' || c == 'U' ? 16 : 8;
  size_t digits = c == 'x' ? 2 : c == 'u' ? 4 : c == 'U' ? 8 : 3;
  if (base == 8) {
    if (c < '0' || c > '7') return false;
    --i;  // the first octal digit is part of the value
  }
  if (i + digits > s.size()) return false;
  uint32_t value = 0;
  for (size_t k = 0; k < digits; ++k) {
    int digit = hex_value(s[i + k]);
    if (digit < 0 || digit >= base) return false;
    value = value * static_cast<uint32_t>(base) + static_cast<uint32_t>(digit);
  }
  i += digits;
  if (c == 'x' || base == 8) {
    if (value > 255) return false;
    out += static_cast<char>(value);  // a raw byte
    return true;
  }
  if (value > 0x10ffff || (value >= 0xd800 && value < 0xe000)) return false;
  append_rune(out, value);
  return true;
}

// Go integer syntax: sign, 0x/0o/0b/0 prefixes, underscores. Returns (negative, magnitude).
std::optional<std::pair<bool, uint64_t>> parse_integer(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  int base = 10;
  if (text.size() > 1 && text[0] == '0') {
    char prefix = static_cast<char>(text[1] | 0x20);
    base = prefix == 'x' ? 16 : prefix == 'b' ? 2 : 8;
    text.remove_prefix(prefix == 'x' || prefix == 'o' || prefix == 'b' ? 2 : 1);
  }
  uint64_t value = 0;
  bool any_digit = base == 8;  // "0" alone, or "00", is a valid octal zero
  for (char c : text) {
    if (c == '_') continue;
    int digit = hex_value(c);
    if (digit < 0 || digit >= base) return std::nullopt;
    auto b = static_cast<uint64_t>(base);
    if (value > (std::numeric_limits<uint64_t>::max() - static_cast<uint64_t>(digit)) / b) {
      return std::nullopt;
    }
    value = value * b + static_cast<uint64_t>(digit);
    any_digit = true;
  }
  if (!any_digit) return std::nullopt;
  return std::make_pair(negative, value);
}

std::optional<double> parse_float(std::string_view text) {
  std::string digits;
  for (char c : text) {
    if (c != '_') digits += c;
  }
  bool negative = !digits.empty() && digits[0] == '-';
  if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) digits.erase(0, 1);
  auto format = std::chars_format::general;
  if (digits.size() > 2 && digits[0] == '0' && (digits[1] | 0x20) == 'x') {
    digits.erase(0, 2);  // a hexadecimal float such as 0x1p4
    format = std::chars_format::hex;
  }
  double value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, format);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return negative ? -value : value;
}

void set_from_rune(NumberNode& node, char32_t rune) {
  node.is_int = node.is_uint = node.is_float = true;
  node.int_value = rune;
  node.uint_value = rune;
  node.float_value = rune;
}

}  // namespace

bool unquote(std::string_view quoted, std::string& out) {
  out.clear();
  if (quoted.size() < 2 || quoted.back() != quoted.front()) return false;
  char quote = quoted.front();
  std::string_view body = quoted.substr(1, quoted.size() - 2);
  if (quote == '`') {
    if (body.find('`') != std::string_view::npos) return false;
    for (char c : body) {
      if (c != '\r') out += c;  // raw strings drop carriage returns
    }
    return true;
  }
  if (quote != '"' && quote != '\'') return false;
  for (size_t i = 0; i < body.size();) {
    char c = body[i];
    if (c == quote || c == '\n') return false;
    if (c == '\\') {
      ++i;
      if (!unescape(body, i, quote, out)) return false;
      continue;
    }
    out += c;
    ++i;
  }
  return true;
}

bool parse_number(std::string_view text, bool char_constant, NumberNode& node, std::string& error) {
  if (char_constant) {
    std::string decoded;
    if (!unquote(text, decoded)) {
      error = "invalid syntax";
      return false;
    }
    if (decoded.size() == 1) {
      set_from_rune(node, static_cast<unsigned char>(decoded[0]));  // '\xff' is a byte value
      return true;
    }
    DecodedRune rune = decoded.empty() ? DecodedRune{} : decode_rune(decoded, 0);
    if (!rune.valid || rune.size != decoded.size()) {
      error = fmt::format("malformed character constant: {}", text);
      return false;
    }
    set_from_rune(node, rune.rune);
    return true;
  }
  if (auto parsed = parse_integer(text)) {
    auto [negative, magnitude] = *parsed;
    constexpr uint64_t kMaxInt = std::numeric_limits<int64_t>::max();
    bool signed_text = text[0] == '+' || text[0] == '-';
    if (!signed_text || magnitude == 0) {
      node.is_uint = true;
      node.uint_value = magnitude;
    }
    if (magnitude <= kMaxInt || (negative && magnitude == kMaxInt + 1)) {
      node.is_int = true;
      node.int_value =
          negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
    }
  }
  if (node.is_int || node.is_uint) {
    node.is_float = true;
    node.float_value =
        node.is_int ? static_cast<double>(node.int_value) : static_cast<double>(node.uint_value);
    return true;
  }
  std::optional<double> value = parse_float(text);
  if (!value) {
    error = fmt::format("illegal number syntax: \"{}\"", text);
    return false;
  }
  if (text.find_first_of(".eEpP") == std::string_view::npos) {
    error = fmt::format("integer overflow: \"{}\"", text);  // digits too many for 64 bits
    return false;
  }
  node.is_float = true;
  node.float_value = *value;
  // An integral float also serves where Go wants an int.
  if (*value > -9.2e18 && *value < 9.2e18 &&
      *value == static_cast<double>(static_cast<int64_t>(*value))) {
    node.is_int = true;
    node.int_value = static_cast<int64_t>(*value);
  }
  if (*value >= 0 && *value < 1.8e19 &&
      *value == static_cast<double>(static_cast<uint64_t>(*value))) {
    node.is_uint = true;
    node.uint_value = static_cast<uint64_t>(*value);
  }
  return true;
}

}  // namespace schicht::gotemplate::tmpl
