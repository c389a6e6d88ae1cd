// rpm's sqlite database (rpm >= 4.16: Fedora 33+, RHEL 9, UBI 9): the Packages table holds one
// header blob a package, in rpm's header format (big-endian: index count, data size, 16-byte
// index entries of tag, type, offset, count, then the data).
#include <sqlite3.h>

#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "core/error.h"
#include "sbom/databases.h"

namespace schicht::sbom {

namespace {

constexpr uint32_t kTagName = 1000, kTagVersion = 1001, kTagRelease = 1002, kTagEpoch = 1003,
                   kTagLicense = 1014, kTagArch = 1022, kTagSourceRpm = 1044;
constexpr uint32_t kTypeInt32 = 4, kTypeString = 6;
constexpr uint32_t kMaxIndexEntries = 0xffff;  // rpm's own bound on a header's index

uint32_t be32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

// "bash-5.2.15-5.fc39.src.rpm" -> "bash"
std::string source_name(std::string_view rpm) {
  if (rpm.ends_with(".src.rpm")) rpm.remove_suffix(8);
  for (int i = 0; i < 2; ++i) {
    size_t dash = rpm.rfind('-');
    if (dash == std::string_view::npos) return "";
    rpm = rpm.substr(0, dash);
  }
  return std::string(rpm);
}

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
struct StatementCloser {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};

}  // namespace

Package parse_rpm_header(std::string_view blob, std::string_view where) {
  auto bad = [where](std::string_view what) -> void {
    fail(ErrorKind::kInvalidInput, fmt::format("{}: {}", where, what));
  };
  const auto* bytes = reinterpret_cast<const unsigned char*>(blob.data());
  if (blob.size() < 8) bad("a header shorter than its 8-byte intro");
  uint32_t entries = be32(bytes), data_size = be32(bytes + 4);
  if (entries > kMaxIndexEntries) bad(fmt::format("a header of {} index entries", entries));
  uint64_t data_start = 8 + uint64_t{entries} * 16;
  if (data_start + data_size > blob.size()) bad("a header longer than its blob");
  std::string_view data = blob.substr(data_start, data_size);
  Package out{.type = "rpm"};
  std::string release, epoch, source_rpm;
  for (uint32_t i = 0; i < entries; ++i) {
    const unsigned char* e = bytes + 8 + size_t{i} * 16;
    uint32_t tag = be32(e), type = be32(e + 4), offset = be32(e + 8);
    std::string* target = tag == kTagName        ? &out.name
                          : tag == kTagVersion   ? &out.version
                          : tag == kTagRelease   ? &release
                          : tag == kTagLicense   ? &out.license
                          : tag == kTagArch      ? &out.architecture
                          : tag == kTagSourceRpm ? &source_rpm
                          : tag == kTagEpoch     ? &epoch
                                                 : nullptr;
    if (!target) continue;
    if (offset >= data.size()) bad(fmt::format("tag {} points past the header's data", tag));
    if (type == kTypeString) {
      size_t end = data.find('\0', offset);
      if (end == std::string_view::npos) bad(fmt::format("tag {} is an unterminated string", tag));
      *target = data.substr(offset, end - offset);
    } else if (type == kTypeInt32 && tag == kTagEpoch) {
      if (offset + 4 > data.size()) bad("the epoch lies past the header's data");
      epoch = std::to_string(be32(reinterpret_cast<const unsigned char*>(data.data()) + offset));
    }
  }
  if (out.name.empty() || out.version.empty()) bad("a package without its name or version");
  if (!release.empty()) out.version += "-" + release;
  out.epoch = epoch;
  out.source = source_name(source_rpm);
  return out;
}

std::vector<Package> parse_rpm_sqlite(std::string_view file, std::string_view path) {
  auto bad = [path](std::string_view what) -> void {
    fail(ErrorKind::kInvalidInput, fmt::format("{}: not an rpm sqlite database: {}", path, what));
  };
  if (file.size() < 100 || !file.starts_with(std::string_view("SQLite format 3\0", 16))) {
    bad("no sqlite header");
  }
  sqlite3* raw = nullptr;
  if (sqlite3_open_v2(":memory:", &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    sqlite3_close(raw);
    fail(ErrorKind::kInternal, "sqlite: cannot open an in-memory database");
  }
  std::unique_ptr<sqlite3, SqliteCloser> db(raw);
  sqlite3_db_config(raw, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  auto* copy = static_cast<unsigned char*>(sqlite3_malloc64(file.size()));
  if (!copy) fail(ErrorKind::kInternal, "sqlite: out of memory");
  std::memcpy(copy, file.data(), file.size());
  // A database in WAL mode cannot be opened from memory; as a rollback-journal one it reads
  // the same (a non-empty -wal beside it is refused by the caller).
  copy[18] = 1;
  copy[19] = 1;
  if (sqlite3_deserialize(raw, "main", copy, static_cast<sqlite3_int64>(file.size()),
                          static_cast<sqlite3_int64>(file.size()),
                          SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_READONLY) !=
      SQLITE_OK) {
    bad(sqlite3_errmsg(raw));
  }
  sqlite3_stmt* stmt_raw = nullptr;
  if (sqlite3_prepare_v2(raw, "SELECT hnum, blob FROM Packages ORDER BY hnum", -1, &stmt_raw,
                         nullptr) != SQLITE_OK) {
    bad(sqlite3_errmsg(raw));
  }
  std::unique_ptr<sqlite3_stmt, StatementCloser> stmt(stmt_raw);
  std::vector<Package> out;
  int rc;
  while ((rc = sqlite3_step(stmt_raw)) == SQLITE_ROW) {
    if (out.size() >= kMaxPackages) {
      fail(ErrorKind::kInvalidInput,
           fmt::format("{}: more than {} packages (the limit of what an SBOM reads)", path,
                       kMaxPackages));
    }
    int64_t hnum = sqlite3_column_int64(stmt_raw, 0);
    const void* blob = sqlite3_column_blob(stmt_raw, 1);
    int size = sqlite3_column_bytes(stmt_raw, 1);
    std::string_view header(static_cast<const char*>(blob), blob ? static_cast<size_t>(size) : 0);
    Package p = parse_rpm_header(header, fmt::format("{}: package {}", path, hnum));
    // gpg-pubkey entries are keys rpm imported, not software.
    if (p.name == "gpg-pubkey") continue;
    p.database = path;
    out.push_back(std::move(p));
  }
  if (rc != SQLITE_DONE) bad(sqlite3_errmsg(raw));
  return out;
}

}  // namespace schicht::sbom
