#include "gotemplate/unicode.h"

#include "gotemplate/utf8.h"

namespace schicht::gotemplate::tmpl {
namespace {

// Latin Extended-A pairs each capital with the next code point, from an even or odd start.
bool extended_a_upper(char32_t r) {
  if (r >= 0x100 && r <= 0x137) return r % 2 == 0;
  if (r >= 0x139 && r <= 0x148) return r % 2 == 1;
  if (r >= 0x14a && r <= 0x177) return r % 2 == 0;
  if (r >= 0x179 && r <= 0x17e) return r % 2 == 1;
  return false;
}

bool extended_a_lower(char32_t r) {
  if (r >= 0x100 && r <= 0x137) return r % 2 == 1;
  if (r >= 0x139 && r <= 0x148) return r % 2 == 0;
  if (r >= 0x14a && r <= 0x177) return r % 2 == 1;
  if (r >= 0x179 && r <= 0x17e) return r % 2 == 0;
  return false;
}

char32_t upper(char32_t r) {
  if (r >= 'a' && r <= 'z') return r - 32;
  if (r < 0x80) return r;
  if (r >= 0xe0 && r <= 0xfe && r != 0xf7) return r - 32;
  if (r == 0xff) return 0x178;
  if (r == 0xb5) return 0x39c;
  if (r == 0x131) return 'I';
  if (r == 0x17f) return 'S';
  if (extended_a_lower(r)) return r - 1;
  if (r >= 0x3b1 && r <= 0x3c9 && r != 0x3c2) return r - 32;
  if (r == 0x3c2) return 0x3a3;  // final sigma
  if (r >= 0x3ac && r <= 0x3af) return r == 0x3ac ? 0x386 : r - 37;
  if (r >= 0x430 && r <= 0x44f) return r - 32;
  if (r >= 0x450 && r <= 0x45f) return r - 80;
  return r;
}

char32_t lower(char32_t r) {
  if (r >= 'A' && r <= 'Z') return r + 32;
  if (r < 0x80) return r;
  if (r >= 0xc0 && r <= 0xde && r != 0xd7) return r + 32;
  if (r == 0x178) return 0xff;
  if (r == 0x130) return 'i';
  if (extended_a_upper(r)) return r + 1;
  if (r >= 0x391 && r <= 0x3a9 && r != 0x3a2) return r + 32;
  if (r == 0x386) return 0x3ac;
  if (r >= 0x388 && r <= 0x38a) return r + 37;
  if (r >= 0x410 && r <= 0x42f) return r + 32;
  if (r >= 0x400 && r <= 0x40f) return r + 80;
  return r;
}

// strings.Title's isSeparator: ASCII other than letters, digits and '_' separates words;
// beyond ASCII, spaces do.
bool is_separator(char32_t r) {
  if (r < 0x80) {
    bool alnum = (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9');
    return !alnum && r != '_';
  }
  return r == 0x85 || r == 0xa0 || r == 0x1680 || (r >= 0x2000 && r <= 0x200a) || r == 0x2028 ||
         r == 0x2029 || r == 0x202f || r == 0x205f || r == 0x3000;
}

template <typename Map>
std::string map_runes(std::string_view text, Map map) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    DecodedRune decoded = decode_rune(text, i);
    if (decoded.valid) {
      append_rune(out, map(decoded.rune));
    } else {
      out += text[i];  // invalid UTF-8 passes through
    }
    i += decoded.size;
  }
  return out;
}

}  // namespace

std::string to_upper(std::string_view text) {
  return map_runes(text, upper);
}

std::string to_lower(std::string_view text) {
  return map_runes(text, lower);
}

std::string to_title(std::string_view text) {
  bool previous_separator = true;
  return map_runes(text, [&](char32_t rune) {
    char32_t mapped = previous_separator ? upper(rune) : rune;
    previous_separator = is_separator(rune);
    return mapped;
  });
}

}  // namespace schicht::gotemplate::tmpl
