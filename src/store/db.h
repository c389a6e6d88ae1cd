// A thin RAII layer over SQLite: a connection, prepared statements, and IMMEDIATE
// transactions. All failures become schicht::Error (busy → kConflict after the busy timeout).
// A Db is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace schicht::store {

class Db;

class Statement {
 public:
  Statement(Db& db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Binds 1-based parameters; returns *this to chain.
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, int64_t value);
  Statement& bind_null(int index);
  // Steps once: true when a row is available.
  bool step();
  // Runs to completion (for statements without results).
  void run();
  void reset();

  std::string text(int column) const;
  // The column's text without a copy; valid until the next step, reset or destruction.
  std::string_view view(int column) const;
  int64_t integer(int column) const;
  bool is_null(int column) const;

 private:
  Db& db_;
  std::string sql_;
  sqlite3_stmt* stmt_ = nullptr;
};

// How a Db is opened. kReadOnly is for a store whose directory cannot be written (a read-only
// mount, a shared store): SQLite opens the file read-only, creates no -wal or -shm file and
// takes no lock that needs a write; when it cannot read a WAL database that way and no WAL
// holds unmerged changes, it reads the file as immutable. Every write then fails with
// kReadOnly and `read_only_reason`.
enum class DbMode { kReadWrite, kReadOnly };

class Db {
 public:
  explicit Db(const std::string& path, DbMode mode = DbMode::kReadWrite,
              std::string read_only_reason = {});
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  void exec(std::string_view sql);
  int64_t last_insert_id() const;
  int changes() const;
  sqlite3* handle() { return db_; }
  [[noreturn]] void fail_sqlite(std::string_view what);
  bool read_only() const { return mode_ == DbMode::kReadOnly; }
  // Fails with kReadOnly when the database was opened read-only; deleters call it before
  // taking their file locks, transactions when they begin.
  void require_writable() const;

 private:
  friend class Statement;
  // Statements of the same SQL text are prepared once: a write into a table with triggers
  // compiles them into every statement that writes it (a load or prune of thousands of images
  // prepares the same few statements per image). Idle ones wait here, reset and unbound.
  sqlite3_stmt* take_prepared(const std::string& sql);
  void keep_prepared(std::string sql, sqlite3_stmt* stmt);

  void open(const std::string& uri, int flags);
  void close();

  std::unordered_map<std::string, sqlite3_stmt*> idle_statements_;
  sqlite3* db_ = nullptr;
  std::string path_;
  DbMode mode_;
  std::string read_only_reason_;
};

// BEGIN IMMEDIATE ... COMMIT; rolls back when destroyed uncommitted (an exception unwound it).
class Transaction {
 public:
  explicit Transaction(Db& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Db& db_;
  bool done_ = false;
};

}  // namespace schicht::store
