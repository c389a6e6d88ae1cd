// UTF-8 as Go's unicode/utf8 sees it, for the template engine: decoding that turns each byte
// of invalid UTF-8 into U+FFFD of size 1, encoding, and counting runes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace schicht::gotemplate::tmpl {

inline constexpr char32_t kRuneError = 0xfffd;

struct DecodedRune {
  char32_t rune;
  size_t size;  // bytes consumed; 1 for an invalid byte
  bool valid;
};

// The rune starting at text[pos]; pos must be inside text.
DecodedRune decode_rune(std::string_view text, size_t pos);

// Appends `rune` in UTF-8; surrogates and values past U+10FFFF become U+FFFD.
void append_rune(std::string& out, char32_t rune);

// Runes in `text`, each invalid byte counting as one.
size_t rune_count(std::string_view text);

}  // namespace schicht::gotemplate::tmpl
