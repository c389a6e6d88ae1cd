#include "store/names.h"

#include <algorithm>
#include <optional>

#include "core/kill_point.h"
#include "store/db.h"
#include "store/store.h"

namespace schicht::store {
namespace {

void log_move(Db& db, int64_t now, const std::string& name, std::string_view action,
              const std::optional<std::string>& from, const std::optional<std::string>& to) {
  Statement st(
      db, "INSERT INTO tag_log(time, name, action, from_image, to_image) VALUES (?, ?, ?, ?, ?)");
  st.bind(1, now).bind(2, name).bind(3, action);
  from ? st.bind(4, *from) : st.bind_null(4);
  to ? st.bind(5, *to) : st.bind_null(5);
  st.run();
}

std::optional<std::string> current_image(Db& db, const std::string& name) {
  Statement st(db, "SELECT image_id FROM names WHERE name = ?");
  st.bind(1, name);
  if (!st.step()) return std::nullopt;
  return st.text(0);
}

}  // namespace

void move_name(Db& db, const Digest& id, const std::string& name, std::string_view action,
               int64_t now) {
  auto from = current_image(db, name);
  if (from == id.str()) return;
  Statement(db,
            "INSERT INTO names(name, image_id, added) VALUES (?1, ?2, ?3) "
            "ON CONFLICT(name) DO UPDATE SET image_id = ?2, added = ?3")
      .bind(1, name)
      .bind(2, id.str())
      .bind(3, now)
      .run();
  log_move(db, now, name, action, from, id.str());
}

void place_names_first(Db& db, const Digest& id, const std::vector<std::string>& names,
                       std::string_view action, int64_t now) {
  if (names.empty()) return;
  // `added` orders an image's names: these take keys just below the image's first name.
  int64_t first = now;
  {
    Statement st(db, "SELECT MIN(added) FROM names WHERE image_id = ?");
    st.bind(1, id.str());
    if (st.step() && !st.is_null(0)) first = std::min(first, st.integer(0));
  }
  int64_t key = first - static_cast<int64_t>(names.size());
  for (const auto& name : names) {
    move_name(db, id, name, action, now);
    Statement(db, "UPDATE names SET added = ? WHERE name = ?").bind(1, key++).bind(2, name).run();
  }
}

bool drop_name(Db& db, const std::string& name, std::string_view action, int64_t now) {
  auto from = current_image(db, name);
  if (!from) return false;
  Statement(db, "DELETE FROM names WHERE name = ?").bind(1, name).run();
  log_move(db, now, name, action, from, std::nullopt);
  return true;
}

void Store::tag(const Digest& id, const std::string& name, std::string_view action) {
  Transaction txn(*db_);
  move_name(*db_, id, name, action, now_ns());
  kill_point("tag-before-commit");
  txn.commit();
  kill_point("tag-committed");
}

bool Store::untag(const std::string& name, std::string_view action) {
  Transaction txn(*db_);
  bool found = drop_name(*db_, name, action, now_ns());
  kill_point("untag-before-commit");
  txn.commit();
  kill_point("untag-committed");
  return found;
}

std::vector<TagLogEntry> Store::tag_log(const std::vector<std::string>& names) {
  std::vector<TagLogEntry> out;
  auto read = [&](Statement& st) {
    while (st.step()) {
      TagLogEntry e{st.integer(0), st.text(1), st.text(2), std::nullopt, std::nullopt};
      if (!st.is_null(3)) e.from = Digest::parse(st.text(3));
      if (!st.is_null(4)) e.to = Digest::parse(st.text(4));
      out.push_back(std::move(e));
    }
  };
  constexpr std::string_view kSelect =
      "SELECT time, name, action, from_image, to_image FROM tag_log ";
  if (names.empty()) {
    Statement st(*db_, std::string(kSelect) + "ORDER BY id DESC");
    read(st);
  } else {
    for (const auto& name : names) {
      Statement st(*db_, std::string(kSelect) + "WHERE name = ? ORDER BY id DESC");
      st.bind(1, name);
      read(st);
    }
  }
  return out;
}

std::map<std::string, std::vector<std::string>> Store::names_history() {
  std::map<std::string, std::vector<std::string>> out;
  Statement st(*db_,
               "SELECT to_image, name FROM tag_log WHERE to_image IS NOT NULL ORDER BY id DESC");
  while (st.step()) {
    auto& names = out[st.text(0)];
    std::string name = st.text(1);
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  return out;
}

std::vector<std::string> Store::names_history(const Digest& id) {
  std::vector<std::string> out;
  Statement st(*db_, "SELECT name FROM tag_log WHERE to_image = ? ORDER BY id DESC");
  st.bind(1, id.str());
  while (st.step()) {
    std::string name = st.text(0);
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  }
  return out;
}

}  // namespace schicht::store
