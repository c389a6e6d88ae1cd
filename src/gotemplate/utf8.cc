#include "gotemplate/utf8.h"

namespace schicht::gotemplate::tmpl {

DecodedRune decode_rune(std::string_view text, size_t pos) {
  auto lead = static_cast<unsigned char>(text[pos]);
  if (lead < 0x80) return {lead, 1, true};
  size_t size = lead >= 0xf0 && lead < 0xf5 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc2 ? 2 : 0;
  DecodedRune invalid{kRuneError, 1, false};
  if (size == 0 || pos + size > text.size()) return invalid;
  char32_t rune = lead & (0x7f >> size);
  for (size_t k = 1; k < size; ++k) {
    auto c = static_cast<unsigned char>(text[pos + k]);
    if ((c & 0xc0) != 0x80) return invalid;
    rune = (rune << 6) | (c & 0x3f);
  }
  bool overlong = (size == 3 && rune < 0x800) || (size == 4 && rune < 0x10000);
  if (overlong || rune > 0x10ffff || (rune >= 0xd800 && rune < 0xe000)) return invalid;
  return {rune, size, true};
}

void append_rune(std::string& out, char32_t rune) {
  if (rune > 0x10ffff || (rune >= 0xd800 && rune < 0xe000)) rune = kRuneError;
  if (rune < 0x80) {
    out += static_cast<char>(rune);
  } else if (rune < 0x800) {
    out += static_cast<char>(0xc0 | (rune >> 6));
    out += static_cast<char>(0x80 | (rune & 0x3f));
  } else if (rune < 0x10000) {
    out += static_cast<char>(0xe0 | (rune >> 12));
    out += static_cast<char>(0x80 | ((rune >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (rune & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (rune >> 18));
    out += static_cast<char>(0x80 | ((rune >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((rune >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (rune & 0x3f));
  }
}

size_t rune_count(std::string_view text) {
  size_t count = 0;
  for (size_t pos = 0; pos < text.size(); pos += decode_rune(text, pos).size) ++count;
  return count;
}

}  // namespace schicht::gotemplate::tmpl
