#include <fmt/format.h>

#include "core/error.h"
#include "sbom/databases.h"
#include "sbom/lines.h"

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
  Lines lines(text);
  std::string_view line;
  while (lines.next(line)) {
    if (line.empty()) {
      finish();
      continue;
    }
    if (line.size() < 2 || line[1] != ':') {
      fail(ErrorKind::kInvalidInput,
           fmt::format("{}: line {}: not a field (K:value)", path, lines.number()));
    }
    if (started == 0) started = lines.number();
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
