#include "store/lists.h"

#include <fmt/format.h>

#include "core/error.h"
#include "store/db.h"
#include "store/image_writer.h"

namespace schicht::store {
namespace {

ListInfo read_list(const Statement& st) {
  return ListInfo{.name = st.text(0),
                  .digest = Digest::parse(st.text(1)),
                  .media_type = st.text(2),
                  .format = st.text(3),
                  .added = st.integer(4)};
}

constexpr std::string_view kSelect =
    "SELECT n.name, l.digest, l.media_type, l.format, n.added FROM list_names n "
    "JOIN lists l ON l.digest = n.list_digest";

// Drops the list row of `digest` when no name references it any more; true when dropped.
bool drop_unnamed_list(Db& db, const std::string& digest) {
  Statement named(db, "SELECT 1 FROM list_names WHERE list_digest = ? LIMIT 1");
  named.bind(1, digest);
  if (named.step()) return false;
  Statement(db, "DELETE FROM list_sources WHERE list_digest = ?").bind(1, digest).run();
  Statement(db, "DELETE FROM lists WHERE digest = ?").bind(1, digest).run();
  return true;
}

}  // namespace

std::optional<std::string> drop_pulled_list_name(Db& db, const std::string& name) {
  Statement st(db,
               "SELECT l.digest FROM list_names n JOIN lists l ON l.digest = n.list_digest "
               "WHERE n.name = ? AND l.media_type = l.format");
  st.bind(1, name);
  if (!st.step()) return std::nullopt;
  std::string digest = st.text(0);
  Statement(db, "DELETE FROM list_names WHERE name = ?").bind(1, name).run();
  if (!drop_unnamed_list(db, digest)) return std::nullopt;
  return digest;
}

std::optional<ListInfo> list_by_name(Store& store, const std::string& name) {
  Statement st(store.db(), std::string(kSelect) + " WHERE n.name = ?");
  st.bind(1, name);
  if (!st.step()) return std::nullopt;
  return read_list(st);
}

std::vector<ListInfo> lists(Store& store) {
  std::vector<ListInfo> out;
  Statement st(store.db(), std::string(kSelect) + " ORDER BY n.added, n.name");
  while (st.step()) out.push_back(read_list(st));
  return out;
}

void put_list(Store& store, const std::string& name, std::string_view raw,
              std::string_view media_type, std::string_view format,
              const std::optional<ReadState>& read, const ListSources& sources) {
  Digest digest = Digest::sha256_of(raw);
  std::optional<std::string> previous;
  {
    // Keeps a concurrent GC from removing the blob between writing it and the rows; refused
    // or failed, the blob this call wrote goes again (unless something references it).
    ImageWriter writer(store);
    if (!writer.protect(digest)) writer.put(raw, digest, "manifest list");
    Transaction txn(store.db());
    int64_t now = now_ns();
    Statement(store.db(), "INSERT OR IGNORE INTO blobs(digest, size, media_type) VALUES (?, ?, ?)")
        .bind(1, digest.str())
        .bind(2, static_cast<int64_t>(raw.size()))
        .bind(3, media_type)
        .run();
    Statement(store.db(),
              "INSERT INTO lists(digest, media_type, format, added) VALUES (?1, ?2, ?3, ?4) "
              "ON CONFLICT(digest) DO UPDATE SET format = ?3")
        .bind(1, digest.str())
        .bind(2, media_type)
        .bind(3, format)
        .bind(4, now)
        .run();
    for (const auto& [instance, repository] : sources) {
      Statement(store.db(),
                "INSERT OR REPLACE INTO list_sources(list_digest, instance, repository) "
                "VALUES (?, ?, ?)")
          .bind(1, digest.str())
          .bind(2, instance)
          .bind(3, repository)
          .run();
    }
    Statement old(store.db(), "SELECT list_digest FROM list_names WHERE name = ?");
    old.bind(1, name);
    if (old.step()) previous = old.text(0);
    if (read && previous != (read->digest ? std::optional(read->digest->str()) : std::nullopt)) {
      fail(ErrorKind::kConflict,
           fmt::format("manifest list {} was changed by another process meanwhile; try again",
                       name));
    }
    Statement(store.db(),
              "INSERT INTO list_names(name, list_digest, added) VALUES (?1, ?2, ?3) "
              "ON CONFLICT(name) DO UPDATE SET list_digest = ?2")
        .bind(1, name)
        .bind(2, digest.str())
        .bind(3, now)
        .run();
    if (previous == digest.str() || (previous && !drop_unnamed_list(store.db(), *previous))) {
      previous.reset();
    }
    txn.commit();
    writer.commit();
  }
  if (previous) store.collect_garbage({Digest::parse(*previous)});
}

ListSources list_sources(Store& store, const Digest& digest) {
  ListSources out;
  Statement st(store.db(), "SELECT instance, repository FROM list_sources WHERE list_digest = ?");
  st.bind(1, digest.str());
  while (st.step()) out[st.text(0)] = st.text(1);
  return out;
}

bool remove_list(Store& store, const std::string& name) {
  std::optional<std::string> dropped;
  {
    Transaction txn(store.db());
    Statement old(store.db(), "SELECT list_digest FROM list_names WHERE name = ?");
    old.bind(1, name);
    if (!old.step()) return false;
    std::string digest = old.text(0);
    Statement(store.db(), "DELETE FROM list_names WHERE name = ?").bind(1, name).run();
    if (drop_unnamed_list(store.db(), digest)) dropped = digest;
    txn.commit();
  }
  if (dropped) store.collect_garbage({Digest::parse(*dropped)});
  return true;
}

}  // namespace schicht::store
