#include <fmt/format.h>

#include "core/error.h"
#include "sbom/databases.h"

namespace schicht::sbom {

std::vector<Package> parse_apk_installed(std::string_view text, std::string_view path) {
  std::vector<Package> out;
  Package current;
  size_t started = 0;  // the line the current package began on; 0: none
  auto finish = [&] {
    if (started == 0) return;
    if (current.name.empty() || current.version.empty()) {
      fail(ErrorKind::kInvalidInput,
           fmt::format("{}: line {}: a package without its P: or V: line", path, started));
    }
    if (out.size() >= kMaxPackages) {
      fail(ErrorKind::kInvalidInput,
           fmt::format("{}: line {}: more than {} packages (the limit of what an SBOM reads)", path,
                       started, kMaxPackages));
    }
    current.type = "apk";
    current.database = path;
    out.push_back(std::move(current));
    current = Package{};
    started = 0;
  };
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) {
      finish();
      continue;
    }
    if (line.size() < 2 || line[1] != ':') {
      fail(ErrorKind::kInvalidInput,
           fmt::format("{}: line {}: not a field (K:value)", path, line_no));
    }
    if (started == 0) started = line_no;
    std::string_view value = line.substr(2);
    switch (line[0]) {
      case 'P':
        current.name = value;
        break;
      case 'V':
        current.version = value;
        break;
      case 'A':
        current.architecture = value;
        break;
      case 'L':
        current.license = value;
        break;
      case 'o':
        current.source = value;
        break;
      default:
        break;  // checksums, sizes, files (F:, R:, Z:, ...): not needed
    }
  }
  finish();
  return out;
}

}  // namespace schicht::sbom
