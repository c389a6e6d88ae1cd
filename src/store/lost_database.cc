#include "store/lost_database.h"

#include <sys/stat.h>

#include <cerrno>
#include <ctime>

#include <fmt/format.h>

#include "core/error.h"

namespace schicht::store {

const char* const kRecoverHint =
    "run `schicht system check --recover` to rebuild it from the blobs";

namespace {

fs::path database_path(const fs::path& root) {
  return root / "db.sqlite";
}

size_t count_blobs(const fs::path& root) {
  std::error_code ec;
  size_t n = 0;
  fs::directory_iterator it(root / "blobs" / "sha256", ec);
  if (ec) return 0;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) break;
    ++n;
  }
  return n;
}

}  // namespace

bool database_missing(const fs::path& root) {
  struct stat st {};
  fs::path db = database_path(root);
  if (::stat(db.c_str(), &st) != 0) {
    if (errno == ENOENT) return true;
    fail_errno("stat", db.string());
  }
  return st.st_size == 0;
}

void check_database_present(const fs::path& root) {
  if (!database_missing(root)) return;
  size_t blobs = count_blobs(root);
  if (blobs == 0) return;  // a new store
  fs::path db = database_path(root);
  fail(
      ErrorKind::kIntegrity,
      fmt::format("database {} is {}, but the store holds {} blobs: the image metadata is lost; {}",
                  db.string(), fs::exists(db) ? "empty" : "missing", blobs, kRecoverHint));
}

fs::path move_database_aside(const fs::path& root) {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  ::gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &utc);
  fs::path db = database_path(root);
  fs::path aside = root / fmt::format("db.sqlite.damaged-{}", stamp);
  for (int n = 2; fs::exists(aside); ++n) {
    aside = root / fmt::format("db.sqlite.damaged-{}-{}", stamp, n);
  }
  // The journal files first: a db.sqlite without its WAL is what is moved last.
  for (const char* suffix : {"-wal", "-shm", ""}) {
    fs::path from = db.string() + suffix;
    fs::path to = aside.string() + suffix;
    if (::rename(from.c_str(), to.c_str()) != 0 && errno != ENOENT) {
      fail_errno("move the damaged database aside to", to.string());
    }
  }
  fsync_dir(root);
  return aside;
}

}  // namespace schicht::store
