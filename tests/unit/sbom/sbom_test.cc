// The SBOM module: layers replayed for a few files (whiteouts, opaque directories, symlinks),
// the package database parsers on good and hostile input, PURLs and the documents.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <tuple>

#include <nlohmann/json.hpp>

#include "archive/tar_writer.h"
#include "core/error.h"
#include "error_of.h"
#include "sbom/databases.h"
#include "sbom/document.h"
#include "sbom/inventory.h"
#include "sbom/rootfs_files.h"

namespace schicht::sbom {
namespace {

class Layer {
 public:
  Layer() : writer_(out_) {}
  Layer& file(std::string_view path, std::string_view data) {
    writer_.add_file(path, data);
    return *this;
  }
  Layer& dir(std::string_view path) {
    writer_.add_directory(path);
    return *this;
  }
  Layer& symlink(std::string_view path, std::string_view target) {
    writer_.add_symlink(path, target);
    return *this;
  }
  std::string finish() {
    writer_.finish();
    return out_.str();
  }

 private:
  StringWriter out_;
  TarWriter writer_;
};

void apply_layer(RootfsFiles& files, const std::string& tar) {
  StringReader reader(tar);
  files.apply(reader, "layer", inventory_wants);
}

constexpr std::string_view kStatus =
    "Package: base-files\n"
    "Status: install ok installed\n"
    "Architecture: amd64\n"
    "Version: 12.4+deb12u5\n"
    "Description: Debian base system miscellaneous files\n"
    " This package contains the basic filesystem hierarchy.\n"
    "\n"
    "Package: libc6\n"
    "Status: install ok installed\n"
    "Architecture: amd64\n"
    "Source: glibc\n"
    "Version: 2.36-9+deb12u4\n"
    "\n"
    "Package: gone\n"
    "Status: deinstall ok config-files\n"
    "Architecture: amd64\n"
    "Version: 1.0\n"
    "\n"
    "Package: libgcc-s1\n"
    "Status: install ok installed\n"
    "Architecture: amd64\n"
    "Source: gcc-12 (12.2.0-14)\n"
    "Version: 12.2.0-14\n";

TEST(Dpkg, InstalledPackagesOnly) {
  auto packages = parse_dpkg_status(kStatus, "/var/lib/dpkg/status");
  ASSERT_EQ(packages.size(), 3u);
  EXPECT_EQ(packages[0].name, "base-files");
  EXPECT_EQ(packages[0].version, "12.4+deb12u5");
  EXPECT_EQ(packages[1].source, "glibc");
  EXPECT_EQ(packages[2].source, "gcc-12");
  EXPECT_EQ(packages[2].source_version, "12.2.0-14");
  EXPECT_EQ(packages[2].database, "/var/lib/dpkg/status");
}

TEST(Dpkg, HostileInputIsNamed) {
  EXPECT_EQ(error_of(ErrorKind::kInvalidInput,
                     [] { parse_dpkg_status("Package: a\nVersion 1\n", "/s"); }),
            "/s: line 2: not a field (Name: value)");
  EXPECT_EQ(error_of(ErrorKind::kInvalidInput, [] { parse_dpkg_status(" continued\n", "/s"); }),
            "/s: line 1: a continuation line outside a field");
  EXPECT_EQ(error_of(ErrorKind::kInvalidInput, [] { parse_dpkg_status("Version: 1\n", "/s"); }),
            "/s: line 1: a paragraph without a Package field");
  EXPECT_EQ(
      error_of(ErrorKind::kInvalidInput,
               [] { parse_dpkg_status("\n\nPackage: a\nStatus: install ok installed\n", "/s"); }),
      "/s: line 3: package a has no Version");
  EXPECT_EQ(error_of(ErrorKind::kInvalidInput,
                     [] { parse_dpkg_status("Package: a\nVersion: 1\nSource: b (1\n", "/s"); }),
            "/s: line 1: a Source field without its ')'");
  EXPECT_TRUE(parse_dpkg_status("", "/s").empty());
  EXPECT_TRUE(parse_dpkg_status("\n\n\n", "/s").empty());
}

TEST(Apk, Packages) {
  auto packages = parse_apk_installed(
      "C:Q1abc=\nP:musl\nV:1.2.4-r2\nA:x86_64\nL:MIT\no:musl\n\n"
      "P:busybox\nV:1.36.1-r15\nA:x86_64\nL:GPL-2.0-only\no:busybox\nF:bin\nR:busybox\n\n",
      "/lib/apk/db/installed");
  ASSERT_EQ(packages.size(), 2u);
  EXPECT_EQ(packages[0].name, "musl");
  EXPECT_EQ(packages[0].license, "MIT");
  EXPECT_EQ(packages[1].version, "1.36.1-r15");
  EXPECT_EQ(
      error_of(ErrorKind::kInvalidInput, [] { parse_apk_installed("P:a\nnonsense\n", "/i"); }),
      "/i: line 2: not a field (K:value)");
  EXPECT_EQ(error_of(ErrorKind::kInvalidInput, [] { parse_apk_installed("P:a\n\n", "/i"); }),
            "/i: line 1: a package without its P: or V: line");
}

TEST(OsReleaseTest, QuotedValues) {
  auto os = parse_os_release(
      "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\nbad line\n");
  EXPECT_EQ(os.id, "debian");
  EXPECT_EQ(os.version_id, "12");
  EXPECT_EQ(os.pretty_name, "Debian GNU/Linux 12 (bookworm)");
}

TEST(Purl, DebAndApk) {
  OsRelease debian{.id = "debian", .version_id = "12"};
  Package libc{.type = "deb",
               .name = "libc6",
               .version = "2.36-9+deb12u4",
               .architecture = "amd64",
               .source = "glibc"};
  EXPECT_EQ(purl(libc, debian),
            "pkg:deb/debian/libc6@2.36-9+deb12u4?arch=amd64&distro=debian-12&upstream=glibc");
  Package epoch{.type = "deb", .name = "x", .version = "1:2.0 beta", .architecture = "all"};
  EXPECT_EQ(purl(epoch, OsRelease{}), "pkg:deb/debian/x@1:2.0%20beta?arch=all");
  Package musl{.type = "apk", .name = "musl", .version = "1.2.4-r2", .architecture = "x86_64"};
  EXPECT_EQ(purl(musl, OsRelease{.id = "alpine", .version_id = "3.19.1"}),
            "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.19.1");
}

// An rpm header blob: (tag, value) pairs, an int value for the epoch (1003), strings else.
std::string rpm_header(const std::vector<std::pair<uint32_t, std::string>>& tags) {
  auto be = [](uint32_t v) {
    return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                       static_cast<char>(v >> 8), static_cast<char>(v)};
  };
  std::string index, data;
  for (const auto& [tag, value] : tags) {
    bool epoch = tag == 1003;
    index += be(tag) + be(epoch ? 4 : 6) + be(static_cast<uint32_t>(data.size())) + be(1);
    data += epoch ? be(static_cast<uint32_t>(std::stoul(value))) : value + std::string(1, '\0');
  }
  return be(static_cast<uint32_t>(tags.size())) + be(static_cast<uint32_t>(data.size())) + index +
         data;
}

TEST(Rpm, HeaderAndHostileHeaders) {
  auto p = parse_rpm_header(rpm_header({{1000, "bash"},
                                        {1001, "5.2.15"},
                                        {1002, "5.fc39"},
                                        {1003, "1"},
                                        {1014, "GPL-3.0-or-later"},
                                        {1022, "x86_64"},
                                        {1044, "bash-5.2.15-5.fc39.src.rpm"}}),
                            "h");
  EXPECT_EQ(p.name, "bash");
  EXPECT_EQ(p.version, "5.2.15-5.fc39");
  EXPECT_EQ(p.epoch, "1");
  EXPECT_EQ(p.source, "bash");
  EXPECT_EQ(p.license, "GPL-3.0-or-later");
  EXPECT_EQ(purl(p, OsRelease{.id = "fedora", .version_id = "39"}),
            "pkg:rpm/fedora/bash@5.2.15-5.fc39?arch=x86_64&distro=fedora-39&epoch=1");

  EXPECT_EQ(error_of(ErrorKind::kInvalidInput, [] { parse_rpm_header("abc", "h"); }),
            "h: a header shorter than its 8-byte intro");
  std::string h = rpm_header({{1000, "bash"}, {1001, "1"}});
  EXPECT_EQ(error_of(ErrorKind::kInvalidInput, [&] { parse_rpm_header(h.substr(0, 20), "h"); }),
            "h: a header longer than its blob");
  std::string unterminated = h.substr(0, h.size() - 1);
  unterminated[7] = static_cast<char>(unterminated[7] - 1);  // data size one less
  EXPECT_EQ(error_of(ErrorKind::kInvalidInput, [&] { parse_rpm_header(unterminated, "h"); }),
            "h: tag 1001 is an unterminated string");
  std::string huge = h;
  huge[0] = '\x7f';
  EXPECT_EQ(error_of(ErrorKind::kInvalidInput, [&] { parse_rpm_header(huge, "h"); }),
            "h: a header of 2130706434 index entries");
  EXPECT_EQ(error_of(ErrorKind::kInvalidInput,
                     [] {
                       parse_rpm_header(rpm_header({{1000, "x"}}), "h");
                     }),
            "h: a package without its name or version");
}

TEST(Rpm, SqliteDatabaseInWalMode) {
  std::string path = ::testing::TempDir() + "/rpmdb-" + std::to_string(::getpid()) + ".sqlite";
  std::remove(path.c_str());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "PRAGMA journal_mode=WAL; CREATE TABLE Packages (hnum INTEGER PRIMARY "
                         "KEY AUTOINCREMENT, blob BLOB NOT NULL);",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  for (const auto& header :
       {rpm_header({{1000, "zlib"}, {1001, "1.2.13"}, {1002, "4.fc39"}, {1022, "x86_64"}}),
        rpm_header({{1000, "gpg-pubkey"}, {1001, "18b8e74c"}}),
        rpm_header({{1000, "bash"}, {1001, "5.2.15"}, {1002, "5.fc39"}})}) {
    sqlite3_stmt* stmt = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, "INSERT INTO Packages (blob) VALUES (?)", -1, &stmt, nullptr),
              SQLITE_OK);
    sqlite3_bind_blob(stmt, 1, header.data(), static_cast<int>(header.size()), SQLITE_TRANSIENT);
    ASSERT_EQ(sqlite3_step(stmt), SQLITE_DONE);
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  std::remove(path.c_str());
  auto packages = parse_rpm_sqlite(bytes.str(), "/var/lib/rpm/rpmdb.sqlite");
  ASSERT_EQ(packages.size(), 2u);
  EXPECT_EQ(packages[0].name, "zlib");
  EXPECT_EQ(packages[1].version, "5.2.15-5.fc39");

  EXPECT_EQ(error_of(ErrorKind::kInvalidInput, [] { parse_rpm_sqlite("SQLite format 3", "/r"); }),
            "/r: not an rpm sqlite database: no sqlite header");
  std::string garbage = std::string("SQLite format 3\0", 16) + std::string(4096, 'x');
  EXPECT_FALSE(
      error_of(ErrorKind::kInvalidInput, [&] { parse_rpm_sqlite(garbage, "/r"); }).empty());
}

TEST(RootfsFilesTest, TopMostVersionWinsAndWhiteoutsHide) {
  RootfsFiles files;
  apply_layer(files, Layer()
                         .dir("var/lib/dpkg")
                         .file("var/lib/dpkg/status", "old")
                         .file("var/lib/dpkg/status.d/a", "A")
                         .file("var/lib/dpkg/status.d/b", "B")
                         .file("usr/lib/os-release", "ID=debian\n")
                         .symlink("etc/os-release", "../usr/lib/os-release")
                         .file("etc/unwanted", "x")
                         .finish());
  apply_layer(files, Layer()
                         .file("var/lib/dpkg/status", "new")
                         .file("var/lib/dpkg/status.d/.wh.a", "")
                         .file("var/lib/dpkg/status.d/c", "C")
                         .finish());
  ASSERT_NE(files.find("/var/lib/dpkg/status"), nullptr);
  EXPECT_EQ(*files.find("/var/lib/dpkg/status"), "new");
  EXPECT_EQ(*files.find("etc/os-release"), "ID=debian\n");
  EXPECT_EQ(files.find("etc/unwanted"), nullptr);
  auto listed = files.list("var/lib/dpkg/status.d");
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].first, "b");
  EXPECT_EQ(listed[1].first, "c");

  // An opaque directory hides everything lower layers put in it.
  apply_layer(files, Layer().file("var/lib/dpkg/.wh..wh..opq", "").finish());
  EXPECT_EQ(files.find("var/lib/dpkg/status"), nullptr);
  EXPECT_TRUE(files.list("var/lib/dpkg/status.d").empty());
  // Whiting out a directory hides what it held.
  apply_layer(files, Layer().file("usr/.wh.lib", "").finish());
  EXPECT_EQ(files.find("etc/os-release"), nullptr);
}

TEST(RootfsFilesTest, AufsMetadataIsSkippedButDotWhInNamesIsNot) {
  RootfsFiles files;
  apply_layer(files, Layer()
                         .symlink(".wh..wh.plnk/etc", "nowhere")
                         .symlink("etc/a.wh.b/os-release", "../../usr/lib/os-release")
                         .symlink("etc/os-release", "a.wh.b/os-release")
                         .file("usr/lib/os-release", "ID=x\n")
                         .finish());
  EXPECT_EQ(files.resolve("/etc/os-release"), "usr/lib/os-release");
  ASSERT_NE(files.find("etc/os-release"), nullptr);
}

TEST(RootfsFilesTest, FilesNotKeptStillReplaceWhatLowerLayersHeld) {
  RootfsFiles files;
  apply_layer(files, Layer()
                         .symlink("etc/os-release", "../usr/lib/os-release")
                         .file("usr/lib/os-release", "ID=debian\n")
                         .file("var/lib/dpkg/status", "Package: a\nVersion: 1\n")
                         .finish());
  // A plain directory where the symlink was, a file where the directory was.
  apply_layer(files, Layer().dir("etc/os-release").file("var/lib", "not a directory").finish());
  EXPECT_EQ(files.find("etc/os-release"), nullptr);
  EXPECT_EQ(files.find("var/lib/dpkg/status"), nullptr);
  EXPECT_NE(files.find("usr/lib/os-release"), nullptr);
}

TEST(RootfsFilesTest, LimitsNameThemselves) {
  RootfsFiles files;
  std::string big(kMaxKeptFileBytes + 1, 'x');
  std::string tar = Layer().file("var/lib/dpkg/status", big).finish();
  EXPECT_EQ(error_of(ErrorKind::kInvalidInput, [&] { apply_layer(files, tar); }),
            "layer: /var/lib/dpkg/status: 67108865 bytes, over the limit of 64 MiB an SBOM reads "
            "of a file");
}

TEST(RootfsFilesTest, SymlinkLoopsAndEscapesStayInside) {
  RootfsFiles files;
  apply_layer(files, Layer()
                         .symlink("a", "b")
                         .symlink("b", "a")
                         .symlink("lib", "../../usr/lib")
                         .file("usr/lib/apk/db/installed", "P:x\nV:1\n")
                         .finish());
  EXPECT_EQ(files.resolve("a/x"), std::nullopt);
  EXPECT_EQ(files.find("a"), nullptr);
  ASSERT_NE(files.find("lib/apk/db/installed"), nullptr);
  auto inventory = take_inventory(files);
  ASSERT_EQ(inventory.packages.size(), 1u);
  EXPECT_EQ(inventory.databases, std::vector<std::string>{"/lib/apk/db/installed"});
}

TEST(Inventory, NamesUnreadDatabasesAndSorts) {
  RootfsFiles files;
  apply_layer(files, Layer()
                         .file("var/lib/dpkg/status",
                               "Package: zz\nVersion: 1\n\nPackage: aa\nVersion: 2\n")
                         .file("var/lib/rpm/Packages", "bdb")
                         .symlink("usr/lib/sysimage/rpm", "../../../var/lib/rpm")
                         .finish());
  auto inventory = take_inventory(files);
  ASSERT_EQ(inventory.packages.size(), 2u);
  EXPECT_EQ(inventory.packages[0].name, "aa");
  EXPECT_EQ(inventory.unread, std::vector<std::string>{"/var/lib/rpm/Packages"});

  // An rpm database with changes in its write-ahead log is named, not read.
  apply_layer(files, Layer()
                         .file("var/lib/rpm/rpmdb.sqlite", "SQLite format 3")
                         .file("var/lib/rpm/rpmdb.sqlite-wal", "pages")
                         .finish());
  EXPECT_EQ(
      take_inventory(files).unread,
      (std::vector<std::string>{"/var/lib/rpm/rpmdb.sqlite (its write-ahead log is not empty)",
                                "/var/lib/rpm/Packages"}));
}

TEST(Documents, SpdxAndCycloneDx) {
  Inventory inventory;
  inventory.os = {.id = "alpine", .version_id = "3.19.1"};
  inventory.packages.push_back({.type = "apk",
                                .name = "musl",
                                .version = "1.2.4-r2",
                                .architecture = "x86_64",
                                .license = "MIT",
                                .database = "/lib/apk/db/installed"});
  inventory.packages.push_back(
      {.type = "apk", .name = "bad\xff", .version = "1", .license = "GPL2+ or ???"});
  ImageSubject image{.name = "docker.io/library/alpine:3",
                     .manifest_digest = "sha256:" + std::string(64, 'a'),
                     .config_digest = "sha256:" + std::string(64, 'b'),
                     .repository = "docker.io/library/alpine"};
  DocumentStamp stamp{
      .created = "2026-01-01T00:00:00Z", .uuid = random_uuid(), .tool = "schicht-1"};
  auto spdx = nlohmann::json::parse(spdx_json(inventory, image, stamp));
  EXPECT_EQ(spdx["spdxVersion"], "SPDX-2.3");
  EXPECT_EQ(spdx["packages"].size(), 3u);
  EXPECT_EQ(spdx["packages"][0]["checksums"][0]["checksumValue"], std::string(64, 'a'));
  EXPECT_EQ(spdx["packages"][1]["licenseDeclared"], "MIT");
  EXPECT_EQ(spdx["packages"][2]["licenseDeclared"], "NOASSERTION");
  EXPECT_EQ(spdx["packages"][0]["externalRefs"][0]["referenceLocator"],
            "pkg:oci/alpine@sha256%3A" + std::string(64, 'a') +
                "?repository_url=docker.io/library/alpine");
  EXPECT_EQ(spdx["relationships"].size(), 3u);
  auto cdx = nlohmann::json::parse(cyclonedx_json(inventory, image, stamp));
  EXPECT_EQ(cdx["serialNumber"], "urn:uuid:" + stamp.uuid);
  EXPECT_EQ(cdx["components"][0]["purl"],
            "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.19.1");
  EXPECT_EQ(stamp.uuid.size(), 36u);
  EXPECT_NE(random_uuid(), random_uuid());
}

TEST(Documents, LicenseExpressions) {
  EXPECT_TRUE(plausible_license_expression("MIT"));
  EXPECT_TRUE(plausible_license_expression("(MIT OR Apache-2.0) AND GPL-2.0-or-later"));
  EXPECT_TRUE(plausible_license_expression("GPL-2.0-only WITH Classpath-exception-2.0"));
  EXPECT_FALSE(plausible_license_expression(""));
  EXPECT_FALSE(plausible_license_expression("MIT AND"));
  EXPECT_FALSE(plausible_license_expression("(MIT"));
  EXPECT_FALSE(plausible_license_expression("GPL, see COPYING"));
}

}  // namespace
}  // namespace schicht::sbom
