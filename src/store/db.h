// A thin RAII layer over SQLite: a connection, prepared statements, and IMMEDIATE
// transactions. All failures become schicht::Error (busy → kConflict after the busy timeout).
// A Db is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

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
  sqlite3_stmt* stmt_ = nullptr;
};

class Db {
 public:
  explicit Db(const std::string& path);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  void exec(std::string_view sql);
  int64_t last_insert_id() const;
  int changes() const;
  sqlite3* handle() { return db_; }
  [[noreturn]] void fail_sqlite(std::string_view what);

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
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
