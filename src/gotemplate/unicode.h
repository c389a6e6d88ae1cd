// Letter case for the template functions upper, lower and title: Go's unicode.ToUpper,
// ToLower and strings.Title for ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic; other
// characters keep their case.
#pragma once

#include <string>
#include <string_view>

namespace schicht::gotemplate::tmpl {

std::string to_upper(std::string_view text);
std::string to_lower(std::string_view text);
// strings.Title: the first letter of each word upper-cased.
std::string to_title(std::string_view text);

}  // namespace schicht::gotemplate::tmpl
