#include "sbom/inventory.h"

#include <algorithm>
#include <tuple>

#include "core/error.h"
#include "sbom/databases.h"

namespace schicht::sbom {

namespace {

constexpr std::string_view kDpkgStatus = "var/lib/dpkg/status";
constexpr std::string_view kDpkgStatusDir = "var/lib/dpkg/status.d";
constexpr std::string_view kApkInstalled = "lib/apk/db/installed";
constexpr std::string_view kRpmSqlite[] = {"var/lib/rpm/rpmdb.sqlite",
                                           "usr/lib/sysimage/rpm/rpmdb.sqlite"};
// Databases recognized but not read: rpm's BerkeleyDB and ndb formats.
constexpr std::string_view kUnreadDatabases[] = {"var/lib/rpm/Packages.db", "var/lib/rpm/Packages",
                                                 "usr/lib/sysimage/rpm/Packages.db",
                                                 "usr/lib/sysimage/rpm/Packages"};
constexpr std::string_view kOsRelease[] = {"etc/os-release", "usr/lib/os-release"};

}  // namespace

RootfsFiles::Want inventory_wants(std::string_view path) {
  using Want = RootfsFiles::Want;
  // With /usr merged, lib/apk is usr/lib/apk behind a symlink: both spellings are kept and the
  // symlinks decide which one the tree shows.
  if (path.starts_with("usr/") && path.substr(4) == kApkInstalled) return Want::kContents;
  if (path == kDpkgStatus || path == kApkInstalled) return Want::kContents;
  if (path.starts_with(kDpkgStatusDir) && path.size() > kDpkgStatusDir.size() &&
      path[kDpkgStatusDir.size()] == '/' &&
      path.find('/', kDpkgStatusDir.size() + 1) == std::string_view::npos) {
    return Want::kContents;
  }
  for (auto p : kOsRelease) {
    if (path == p) return Want::kContents;
  }
  for (auto p : kUnreadDatabases) {
    if (path == p) return Want::kPresence;
  }
  for (auto p : kRpmSqlite) {
    if (path == p || (path.starts_with(p) && path.substr(p.size()) == "-wal")) {
      return Want::kContents;
    }
  }
  return Want::kNo;
}

Inventory take_inventory(std::span<const LayerInput> layers) {
  return take_inventory(RootfsFiles::read(layers, inventory_wants));
}

Inventory take_inventory(const RootfsFiles& files) {
  Inventory out;
  for (auto p : kOsRelease) {
    if (const std::string* text = files.find(p)) {
      out.os = parse_os_release(*text);
      break;
    }
  }
  auto add = [&out](std::vector<Package> found) {
    for (auto& p : found) out.packages.push_back(std::move(p));
  };
  if (const std::string* status = files.find(kDpkgStatus)) {
    std::string path = "/" + std::string(kDpkgStatus);
    add(parse_dpkg_status(*status, path));
    out.databases.push_back(path);
  }
  // distroless: one status paragraph a package, beside its md5sums.
  for (const auto& [name, text] : files.list(kDpkgStatusDir)) {
    if (name.ends_with(".md5sums") || name.starts_with('.')) continue;
    std::string path = "/" + std::string(kDpkgStatusDir) + "/" + name;
    add(parse_dpkg_status(*text, path));
    out.databases.push_back(path);
  }
  if (const std::string* installed = files.find(kApkInstalled)) {
    std::string path = "/" + std::string(kApkInstalled);
    add(parse_apk_installed(*installed, path));
    out.databases.push_back(path);
  }
  std::vector<std::string> rpm_seen;
  for (auto p : kRpmSqlite) {
    // /var/lib/rpm may be a symlink to /usr/lib/sysimage/rpm: each database is read once.
    auto resolved = files.resolve(p);
    const std::string* db = resolved ? files.find(*resolved) : nullptr;
    if (!db || std::find(rpm_seen.begin(), rpm_seen.end(), *resolved) != rpm_seen.end()) continue;
    rpm_seen.push_back(*resolved);
    std::string path = "/" + *resolved;
    // Changes not yet checkpointed live in the write-ahead log, which is not replayed here.
    if (const std::string* wal = files.find(*resolved + "-wal"); wal && !wal->empty()) {
      out.unread.push_back(path + " (its write-ahead log is not empty)");
      continue;
    }
    add(parse_rpm_sqlite(*db, path));
    out.databases.push_back(path);
  }
  for (auto p : kUnreadDatabases) {
    // /var/lib/rpm may be a symlink to /usr/lib/sysimage/rpm: each file is named once.
    auto resolved = files.resolve(p);
    if (!resolved || !files.find(*resolved)) continue;
    std::string path = "/" + *resolved;
    if (std::find(out.unread.begin(), out.unread.end(), path) == out.unread.end()) {
      out.unread.push_back(path);
    }
  }
  std::sort(out.packages.begin(), out.packages.end(), [](const Package& a, const Package& b) {
    return std::tie(a.type, a.name, a.version, a.architecture, a.database) <
           std::tie(b.type, b.name, b.version, b.architecture, b.database);
  });
  return out;
}

}  // namespace schicht::sbom
