#include <fmt/format.h>

#include "sbom/package.h"

namespace schicht::sbom {

std::string purl_escape(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '-' || c == '_' || c == '~' || c == ':' || c == '+';
    if (plain) {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::string purl(const Package& package, const OsRelease& os) {
  std::string distro_id = os.id;
  if (distro_id.empty()) {
    distro_id = package.type == "apk" ? "alpine" : package.type == "rpm" ? "redhat" : "debian";
  }
  std::string out =
      fmt::format("pkg:{}/{}/{}", package.type, purl_escape(distro_id), purl_escape(package.name));
  if (!package.version.empty()) out += "@" + purl_escape(package.version);
  // Qualifiers sorted by key, as the specification's canonical form has them.
  std::string qualifiers;
  auto add = [&qualifiers](std::string_view key, std::string_view value) {
    if (value.empty()) return;
    qualifiers += qualifiers.empty() ? "?" : "&";
    qualifiers += fmt::format("{}={}", key, purl_escape(value));
  };
  add("arch", package.architecture);
  if (!os.id.empty()) {
    add("distro", os.version_id.empty() ? os.id : os.id + "-" + os.version_id);
  }
  add("epoch", package.epoch);
  if (!package.source.empty() && package.source != package.name) {
    std::string upstream = package.source;
    if (!package.source_version.empty()) upstream += "@" + package.source_version;
    add("upstream", upstream);
  }
  return out + qualifiers;
}

}  // namespace schicht::sbom
