#include "store/db.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <cctype>

#include <fmt/format.h>

#include "core/error.h"
#include "store/lost_database.h"

namespace schicht::store {

namespace {

// A file: URI for sqlite3_open_v2 (SQLITE_OPEN_URI): every byte outside the unreserved set and
// '/' is percent-encoded, so a root with spaces, '?', '#' or '%' stays one path.
std::string file_uri(const std::string& path, std::string_view query) {
  std::string out = "file:";
  for (unsigned char c : path) {
    if (std::isalnum(c) != 0 ||
        std::string_view("/-._~").find(static_cast<char>(c)) != std::string_view::npos) {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out + "?" + std::string(query);
}

// Whether a WAL file beside the database holds frames a read-only reader would have to merge.
bool wal_has_frames(const std::string& path) {
  struct stat st {};
  return ::stat((path + "-wal").c_str(), &st) == 0 && st.st_size > 0;
}

}  // namespace

Db::Db(const std::string& path, DbMode mode, std::string read_only_reason)
    : path_(path), mode_(mode), read_only_reason_(std::move(read_only_reason)) {
  // A throwing constructor runs no destructor, so a failure closes the handle here (sqlite
  // allocates one even when the open itself fails, and a file that is no database fails later).
  try {
    if (mode == DbMode::kReadWrite) {
      open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
      // Writers wait for each other instead of failing: several schicht processes share a store.
      sqlite3_busy_timeout(db_, 60000);
      // journal_mode=WAL is persistent: only a new database needs it set (a change needs the
      // statement that read the mode finished).
      bool wal = false;
      {
        Statement journal(*this, "PRAGMA journal_mode");
        wal = journal.step() && journal.view(0) == "wal";
      }
      if (!wal) exec("PRAGMA journal_mode=WAL");
      exec("PRAGMA synchronous=NORMAL");
      exec("PRAGMA foreign_keys=ON");
      // INSERT OR REPLACE then fires the delete triggers of the rows it replaces: the image
      // totals (schema.cc, migration 8) count every row that goes.
      exec("PRAGMA recursive_triggers=ON");
    } else {
      open(file_uri(path, "mode=ro"), SQLITE_OPEN_READONLY | SQLITE_OPEN_URI);
      sqlite3_busy_timeout(db_, 60000);
      // A WAL database needs its -shm file, which a read-only directory cannot hold unless a
      // writer left one. Without one, and with no WAL frames to merge, the file alone is the
      // whole database: read it as immutable (no locks, no -shm).
      if (sqlite3_exec(db_, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr) !=
          SQLITE_OK) {
        if (wal_has_frames(path)) fail_sqlite("open read-only");
        close();
        open(file_uri(path, "immutable=1"), SQLITE_OPEN_READONLY | SQLITE_OPEN_URI);
        exec("SELECT count(*) FROM sqlite_master");
      }
    }
    // No mmap: pages are read into SQLite's own cache. The same CPU time at 1,000 and 10,000
    // images, but a mapped file counts in the peak RSS with every page the kernel maps around
    // a fault (16 a time): `images` at 10,000 images peaked at 56 MB mapped, 26 MB read.
    exec("PRAGMA mmap_size=0");
  } catch (...) {
    close();
    throw;
  }
}

void Db::open(const std::string& uri, int flags) {
  int rc = sqlite3_open_v2(uri.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) fail_sqlite("open");
}

sqlite3_stmt* Db::take_prepared(const std::string& sql) {
  auto found = idle_statements_.find(sql);
  if (found == idle_statements_.end()) return nullptr;
  sqlite3_stmt* stmt = found->second;
  idle_statements_.erase(found);  // in use: another Statement of the same text prepares its own
  return stmt;
}

void Db::keep_prepared(std::string sql, sqlite3_stmt* stmt) {
  // A bound on what a long-lived process (serve) keeps of SQL texts built with fmt::format.
  constexpr size_t kMostKept = 64;
  if (db_ == nullptr || idle_statements_.size() >= kMostKept ||
      !idle_statements_.emplace(std::move(sql), stmt).second) {
    sqlite3_finalize(stmt);
  }
}

void Db::close() {
  for (auto& [sql, stmt] : idle_statements_) sqlite3_finalize(stmt);
  idle_statements_.clear();
  sqlite3_close_v2(db_);
  db_ = nullptr;
}

Db::~Db() {
  close();
}

void Db::require_writable() const {
  if (mode_ == DbMode::kReadOnly) fail(ErrorKind::kReadOnly, read_only_reason_);
}

void Db::fail_sqlite(std::string_view what) {
  int code = db_ != nullptr ? sqlite3_errcode(db_) : SQLITE_CANTOPEN;
  if (code == SQLITE_READONLY && mode_ == DbMode::kReadOnly) require_writable();
  std::string msg = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
  ErrorKind kind = code == SQLITE_BUSY || code == SQLITE_LOCKED      ? ErrorKind::kConflict
                   : code == SQLITE_CORRUPT || code == SQLITE_NOTADB ? ErrorKind::kIntegrity
                                                                     : ErrorKind::kIo;
  // A damaged database file is not the end of the images: their blobs rebuild it.
  if (kind == ErrorKind::kIntegrity)
    msg += fmt::format(": the database is damaged; {}", kRecoverHint);
  fail(kind, fmt::format("database {}: {}: {}", path_, what, msg));
}

void Db::exec(std::string_view sql) {
  char* err = nullptr;
  std::string copy(sql);
  if (sqlite3_exec(db_, copy.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    sqlite3_free(err);
    fail_sqlite(copy.substr(0, 40));
  }
}

int64_t Db::last_insert_id() const {
  return sqlite3_last_insert_rowid(db_);
}
int Db::changes() const {
  return sqlite3_changes(db_);
}

Statement::Statement(Db& db, std::string_view sql) : db_(db), sql_(sql) {
  stmt_ = db.take_prepared(sql_);
  if (stmt_ != nullptr) return;
  if (sqlite3_prepare_v2(db.handle(), sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) !=
      SQLITE_OK) {
    db_.fail_sqlite(fmt::format("prepare {:.40}", sql));
  }
}

Statement::~Statement() {
  if (stmt_ == nullptr) return;
  // reset reports the last step's error again, which its step already threw.
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  db_.keep_prepared(std::move(sql_), stmt_);
}

Statement& Statement::bind(int index, std::string_view value) {
  if (sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()),
                        SQLITE_TRANSIENT) != SQLITE_OK) {
    db_.fail_sqlite("bind");
  }
  return *this;
}

Statement& Statement::bind(int index, int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) db_.fail_sqlite("bind");
  return *this;
}

Statement& Statement::bind_null(int index) {
  if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) db_.fail_sqlite("bind");
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  db_.fail_sqlite(fmt::format("step {:.60}", sqlite3_sql(stmt_)));
}

void Statement::run() {
  while (step()) {
  }
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string Statement::text(int column) const {
  return std::string(view(column));
}

std::string_view Statement::view(int column) const {
  const unsigned char* p = sqlite3_column_text(stmt_, column);
  if (p == nullptr) return {};
  return {reinterpret_cast<const char*>(p),
          static_cast<size_t>(sqlite3_column_bytes(stmt_, column))};
}

int64_t Statement::integer(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

bool Statement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

Transaction::Transaction(Db& db) : db_(db) {
  db_.require_writable();
  db_.exec("BEGIN IMMEDIATE");
}

Transaction::~Transaction() {
  if (!done_) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

}  // namespace schicht::store
