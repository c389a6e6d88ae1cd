// names.journal beside db.sqlite: every change of an image name, appended as it commits, so a
// lost database does not lose the names (`system check --recover` replays it).
//
// One line per change: `<unix ns>\t<action>\t<name>\t<image ID or ->\n`, in commit order. A
// temporary trigger on tag_log (every name move writes a tag-log row) gathers the lines of a
// transaction and SQLite's commit hook appends them while the write lock is still held, so
// lines of concurrent processes are in the order their transactions committed; a rollback
// drops them. The journal is in sync with the database or absent: when an append fails (a
// full disk), the journal is removed, and the next open seeds it from the names table under
// the write lock (appends never create it). A store made before the journal existed is seeded
// the same way on its first open.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/digest.h"
#include "core/fs.h"

namespace schicht::store {

class Db;

class NamesJournal {
 public:
  // Installs the trigger and hooks on `db` and seeds a missing journal (when the root is
  // writable). `db` must not outlive this object.
  NamesJournal(Db& db, fs::path root);
  ~NamesJournal();
  NamesJournal(const NamesJournal&) = delete;
  NamesJournal& operator=(const NamesJournal&) = delete;

  struct State;

 private:
  std::unique_ptr<State> state_;
};

fs::path names_journal_path(const fs::path& root);

// The names the journal ends with, oldest assignment first: (name, image ID).
std::vector<std::pair<std::string, Digest>> replay_names_journal(const fs::path& root);

}  // namespace schicht::store
