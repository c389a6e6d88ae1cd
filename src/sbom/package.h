// What an SBOM lists: the packages a package manager's database says are installed, and the
// distribution the image says it is (os-release), which names the packages' PURLs.
#pragma once

#include <string>
#include <string_view>

namespace schicht::sbom {

// /etc/os-release (or /usr/lib/os-release): the fields an SBOM needs.
struct OsRelease {
  std::string id;          // "debian", "alpine"; empty when the image has no os-release
  std::string version_id;  // "12", "3.19.1"; empty for a rolling release (Debian sid)
  std::string pretty_name;
};

struct Package {
  std::string type;  // the PURL type: "deb", "apk", "rpm"
  std::string name;
  std::string version;
  std::string epoch;  // rpm's, apart from its version ("" when none)
  std::string architecture;
  std::string source;          // the source package, when the database names one
  std::string source_version;  // when it differs from `version` (dpkg's "Source: x (1.2)")
  std::string license;         // as the database declares it (apk); empty when unknown
  std::string database;        // the database it came from: "/var/lib/dpkg/status"
};

// The package URL (github.com/package-url/purl-spec): pkg:deb/debian/NAME@VERSION?arch=ARCH&
// distro=debian-12, the namespace and distro taken from os-release (debian and alpine when the
// image has none), with each part percent-encoded as the specification asks.
std::string purl(const Package& package, const OsRelease& os);

// Percent-encodes all but letters, digits and ".-_~" (and ":" and "+", which PURL versions
// keep as Debian writes them).
std::string purl_escape(std::string_view text);

}  // namespace schicht::sbom
