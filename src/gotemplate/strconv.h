// Go's strconv for the template engine: quoting strings and runes as %q does, and float
// formatting with Go's shortest-representation rules.
#pragma once

#include <string>
#include <string_view>

namespace schicht::gotemplate::tmpl {

// strconv.Quote; with `ascii_only`, strconv.QuoteToASCII (printf's %+q).
std::string go_quote(std::string_view text, bool ascii_only = false);

// strconv.QuoteRune: 'x'.
std::string go_quote_rune(char32_t rune, bool ascii_only = false);

// strconv.FormatFloat(value, verb, prec, 64) for verbs e, E, f, F, g, G; prec -1 is the
// shortest representation that reads back the same.
std::string go_format_float(double value, char verb, int prec);

// How %v prints a float64: shortest digits, exponent form below 1e-4 and from 1e6 on
// (podman prints {{1e6}} as "1e+06", {{123456789.0}} as "1.23456789e+08", {{1.0}} as "1").
std::string go_float_v(double value);

}  // namespace schicht::gotemplate::tmpl
