#include "sbom/databases.h"
#include "sbom/lines.h"

namespace schicht::sbom {

OsRelease parse_os_release(std::string_view text) {
  OsRelease out;
  Lines lines(text);
  std::string_view line;
  while (lines.next(line)) {
    size_t eq = line.find('=');
    if (eq == std::string_view::npos || line.starts_with('#')) continue;
    std::string_view key = line.substr(0, eq);
    std::string_view raw = line.substr(eq + 1);
    // A shell word: quotes removed, backslash escapes inside double quotes kept literal.
    std::string value;
    char quote = 0;
    for (size_t i = 0; i < raw.size(); ++i) {
      char c = raw[i];
      if (quote == 0 && (c == '"' || c == '\'')) {
        quote = c;
      } else if (quote != 0 && c == quote) {
        quote = 0;
      } else if (quote == '"' && c == '\\' && i + 1 < raw.size()) {
        value += raw[++i];
      } else if (quote == 0 && (c == ' ' || c == '\t' || c == '\r')) {
        break;
      } else {
        value += c;
      }
    }
    if (key == "ID") out.id = value;
    if (key == "VERSION_ID") out.version_id = value;
    if (key == "PRETTY_NAME") out.pretty_name = value;
  }
  return out;
}

}  // namespace schicht::sbom
