#include "store/names_journal.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <sstream>

#include <fmt/format.h>

#include "core/error.h"
#include "store/db.h"

namespace schicht::store {

struct NamesJournal::State {
  fs::path path;
  std::string pending;  // lines of the open transaction
};

namespace {

std::string line(int64_t time, std::string_view action, std::string_view name,
                 std::string_view image) {
  return fmt::format("{}\t{}\t{}\t{}\n", time, action, name, image.empty() ? "-" : image);
}

// schicht_journal_name(time, action, name, to_image), called by the trigger.
void gather(sqlite3_context* context, int, sqlite3_value** argv) {
  auto* state = static_cast<NamesJournal::State*>(sqlite3_user_data(context));
  auto text = [&](int i) {
    const unsigned char* p = sqlite3_value_text(argv[i]);
    return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p));
  };
  state->pending += line(sqlite3_value_int64(argv[0]), text(1), text(2), text(3));
  sqlite3_result_null(context);
}

// Appends in one write; on failure removes the journal, which the next open seeds again.
int append_at_commit(void* arg) {
  auto* state = static_cast<NamesJournal::State*>(arg);
  if (state->pending.empty()) return 0;
  std::string lines = std::move(state->pending);
  state->pending.clear();
  int fd = ::open(state->path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) return 0;  // absent: seeded from the database on a later open
  ssize_t n = ::write(fd, lines.data(), lines.size());
  ::close(fd);
  if (n != static_cast<ssize_t>(lines.size())) ::unlink(state->path.c_str());
  return 0;
}

void drop_at_rollback(void* arg) {
  static_cast<NamesJournal::State*>(arg)->pending.clear();
}

std::string names_text(Db& db) {
  std::string text;
  Statement st(db, "SELECT name, image_id, added FROM names ORDER BY added, rowid");
  while (st.step()) text += line(st.integer(2), "seed", st.view(0), st.view(1));
  return text;
}

// Writes the journal from the names table. The file is written and synced outside the
// transaction (no fsync inside one), then linked into place under the write lock if the names
// are still what it says, so no name change falls between the seed and the first append.
void seed(Db& db, const fs::path& path) {
  fs::path temp = path.string() + fmt::format(".tmp-{}", ::getpid());
  for (int attempt = 0; attempt < 3; ++attempt) {
    std::string text = names_text(db);
    write_file_atomic(temp, text, 0600);
    Transaction txn(db);
    if (!fs::exists(path) && names_text(db) != text) continue;  // names moved meanwhile
    // link() refuses to replace a journal another process seeded meanwhile.
    if (!fs::exists(path) && ::link(temp.c_str(), path.c_str()) != 0 && errno != EEXIST) {
      int saved = errno;
      ::unlink(temp.c_str());
      errno = saved;
      fail_errno("create", path.string());
    }
    ::unlink(temp.c_str());
    txn.commit();
    return;
  }
  ::unlink(temp.c_str());
}

}  // namespace

fs::path names_journal_path(const fs::path& root) {
  return root / "names.journal";
}

NamesJournal::NamesJournal(Db& db, fs::path root)
    : state_(std::make_unique<State>(State{names_journal_path(root), {}})) {
  sqlite3* handle = db.handle();
  if (sqlite3_create_function(handle, "schicht_journal_name", 4, SQLITE_UTF8, state_.get(), gather,
                              nullptr, nullptr) != SQLITE_OK) {
    db.fail_sqlite("create function schicht_journal_name");
  }
  // The trigger lives in the connection's temp schema: in memory, so a read-only store or a
  // full disk does not stop it.
  db.exec("PRAGMA temp_store=MEMORY");
  db.exec(
      "CREATE TEMP TRIGGER IF NOT EXISTS schicht_names_journal AFTER INSERT ON main.tag_log "
      "BEGIN SELECT schicht_journal_name(NEW.time, NEW.action, NEW.name, NEW.to_image); END");
  sqlite3_commit_hook(handle, append_at_commit, state_.get());
  sqlite3_rollback_hook(handle, drop_at_rollback, state_.get());
  if (!fs::exists(state_->path) && ::access(root.c_str(), W_OK) == 0) {
    ignore_error("the journal is seeded by a later open (a full disk, say); names still work",
                 [&] { seed(db, state_->path); });
  }
}

NamesJournal::~NamesJournal() = default;

std::vector<std::pair<std::string, Digest>> replay_names_journal(const fs::path& root) {
  fs::path path = names_journal_path(root);
  std::vector<std::pair<std::string, Digest>> out;
  if (!fs::exists(path)) return out;
  std::map<std::string, std::pair<size_t, Digest>> names;  // name → (line number, image)
  std::istringstream in(read_file(path));
  std::string text;
  for (size_t n = 0; std::getline(in, text); ++n) {
    std::vector<std::string> fields;
    std::istringstream split(text);
    for (std::string f; std::getline(split, f, '\t');) fields.push_back(f);
    if (fields.size() != 4) continue;  // a line cut short by a crash or a full disk
    if (fields[3] == "-") {
      names.erase(fields[2]);
    } else if (auto id = Digest::try_parse(fields[3])) {
      names.insert_or_assign(fields[2], std::make_pair(n, *id));
    }
  }
  std::vector<std::pair<size_t, std::pair<std::string, Digest>>> ordered;
  for (auto& [name, at] : names) ordered.push_back({at.first, {name, at.second}});
  std::sort(ordered.begin(), ordered.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [n, entry] : ordered) out.push_back(std::move(entry));
  return out;
}

}  // namespace schicht::store
