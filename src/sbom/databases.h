// Parsers of the package databases an image's root filesystem holds, over their bytes alone
// (hostile input: a malformed database fails with kInvalidInput naming its path and line,
// never more than kMaxPackages packages).
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "sbom/package.h"

namespace schicht::sbom {

inline constexpr size_t kMaxPackages = 200000;  // per database; Debian has ~70,000 in all

// dpkg's status file (deb822 paragraphs): the packages whose Status says "installed" (a
// paragraph without Status, as distroless's status.d files are, counts as installed). `path`
// names the database in errors and in each Package.
std::vector<Package> parse_dpkg_status(std::string_view text, std::string_view path);

// apk's installed database ("K:value" lines, a blank line between packages).
std::vector<Package> parse_apk_installed(std::string_view text, std::string_view path);

// rpm's sqlite database (rpmdb.sqlite), read from memory; gpg-pubkey entries left out.
// Versions are VERSION-RELEASE, the epoch apart.
std::vector<Package> parse_rpm_sqlite(std::string_view file, std::string_view path);
// One header blob of it; `where` names it in errors.
Package parse_rpm_header(std::string_view blob, std::string_view where);

// os-release (KEY=VALUE lines, values quoted as shell words); unknown lines are skipped, as
// systemd does.
OsRelease parse_os_release(std::string_view text);

}  // namespace schicht::sbom
