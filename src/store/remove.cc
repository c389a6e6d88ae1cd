#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <set>

#include <fmt/format.h>

#include "core/error.h"
#include "core/kill_point.h"
#include "store/db.h"
#include "store/lists.h"
#include "store/names.h"
#include "store/store.h"

namespace schicht::store {

bool lease_is_live(int64_t pid, const std::string& owner, int64_t expires, int64_t now) {
  if (expires < now) return false;
  size_t space = owner.find(' ');
  if (owner.substr(0, space) != boot_id()) return false;
  // Rows written before leases named their namespace carry the boot id alone.
  if (space != std::string::npos && owner != lease_owner()) return true;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

std::set<std::string> live_leased_blobs(Db& db) {
  std::set<std::string> out;
  int64_t now = now_ns();
  Statement st(db,
               "SELECT l.pid, l.boot_id, l.expires, b.digest FROM leases l "
               "JOIN lease_blobs b ON b.lease_id = l.id");
  while (st.step()) {
    if (lease_is_live(st.integer(0), st.text(1), st.integer(2), now)) out.insert(st.text(3));
  }
  return out;
}

namespace {

// Deletes the rows of the candidate blobs that no image and no live lease references; returns
// them. Runs inside the caller's transaction, with gc.lock held exclusively.
std::vector<Digest> delete_unreferenced_rows(Db& db, const std::vector<std::string>& candidates) {
  std::vector<Digest> deleted;
  std::set<std::string> leased = live_leased_blobs(db);
  for (const auto& digest : candidates) {
    if (blob_in_use(db, digest, leased)) continue;
    Statement(db, "DELETE FROM layers WHERE digest = ?").bind(1, digest).run();
    Statement(db, "DELETE FROM blobs WHERE digest = ?").bind(1, digest).run();
    deleted.push_back(Digest::parse(digest));
  }
  return deleted;
}

}  // namespace

RemovalReport Store::discard_blobs(Lease& lease, const std::vector<Digest>& digests) {
  if (digests.empty()) return {};
  {
    Transaction txn(*db_);  // one commit, not one per blob
    for (const auto& d : digests) lease.release(d);
    txn.commit();
  }
  return collect_garbage(digests);
}

RemovalReport Store::collect_garbage(const std::vector<Digest>& digests) {
  RemovalReport report;
  db_->require_writable();  // before gc.lock, which a read-only store cannot create
  FileLock gc(root_ / "gc.lock", FileLock::Mode::kExclusive);
  std::vector<std::string> candidates;
  for (const auto& d : digests) candidates.push_back(d.str());
  {
    Transaction txn(*db_);
    report.deleted_blobs = delete_unreferenced_rows(*db_, candidates);
    txn.commit();
  }
  for (const auto& digest : report.deleted_blobs) report.freed_bytes += blobs_.remove(digest);
  return report;
}

bool blob_in_use(Db& db, const std::string& digest, const std::set<std::string>& leased) {
  if (leased.count(digest) != 0) return true;
  Statement used(db,
                 "SELECT 1 FROM images WHERE id = ?1 UNION ALL "
                 "SELECT 1 FROM image_manifests WHERE digest = ?1 UNION ALL "
                 "SELECT 1 FROM manifest_layers WHERE layer_digest = ?1 UNION ALL "
                 "SELECT 1 FROM lists WHERE digest = ?1 UNION ALL "
                 "SELECT 1 FROM build_cache_blobs WHERE digest = ?1 UNION ALL "
                 "SELECT 1 FROM artifact_blobs WHERE digest = ?1 LIMIT 1");
  used.bind(1, digest);
  return used.step();
}

bool drop_image_rows(Db& db, const Digest& id, RemovalReport& report,
                     std::vector<std::string>& candidates) {
  int64_t now = now_ns();
  std::vector<std::string> names;
  Statement st(db, "SELECT name FROM names WHERE image_id = ? ORDER BY added, rowid");
  st.bind(1, id.str());
  while (st.step()) names.push_back(st.text(0));
  for (const auto& name : names) {
    drop_name(db, name, "rmi", now);
    report.untagged.push_back(name);
    // A list pulled under the name was part of what the pull stored: it goes too.
    if (auto list = drop_pulled_list_name(db, name)) candidates.push_back(*list);
  }
  Statement exists(db, "SELECT 1 FROM images WHERE id = ?");
  exists.bind(1, id.str());
  if (!exists.step()) return false;
  Statement user(db, "SELECT id FROM containers WHERE image_id = ? LIMIT 1");
  user.bind(1, id.str());
  if (user.step()) {
    fail(ErrorKind::kInUse,
         fmt::format("image used by {}: image is in use by a container: consider listing "
                     "external containers and force-removing image",
                     user.text(0)));
  }
  candidates.push_back(id.str());
  Statement edges(db,
                  "SELECT m.digest, l.layer_digest FROM image_manifests m "
                  "LEFT JOIN manifest_layers l ON l.manifest_digest = m.digest "
                  "WHERE m.image_id = ?");
  edges.bind(1, id.str());
  while (edges.step()) {
    candidates.push_back(edges.text(0));
    if (!edges.is_null(1)) candidates.push_back(edges.text(1));
  }
  Statement(db, "DELETE FROM images WHERE id = ?").bind(1, id.str()).run();
  return true;
}

RemovalReport Store::remove_image(const Digest& id) {
  RemovalReport report;
  db_->require_writable();  // before gc.lock, which a read-only store cannot create
  FileLock gc(root_ / "gc.lock", FileLock::Mode::kExclusive);
  {
    Transaction txn(*db_);
    std::vector<std::string> candidates;
    if (!drop_image_rows(*db_, id, report, candidates)) return report;
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
    report.deleted_blobs = delete_unreferenced_rows(*db_, candidates);
    kill_point("rmi-rows-before-commit");
    txn.commit();
  }
  kill_point("rmi-rows-committed");
  for (const auto& digest : report.deleted_blobs) {
    report.freed_bytes += blobs_.remove(digest);
    kill_point("rmi-blob-removed");
  }
  return report;
}

RemovalReport Store::remove_exclusively(
    const std::function<std::vector<std::string>(Db&, RemovalReport&)>& decide) {
  RemovalReport report;
  FileLock gc(root_ / "gc.lock", FileLock::Mode::kExclusive);
  {
    Transaction txn(*db_);
    std::vector<std::string> candidates = decide(*db_, report);
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
    report.deleted_blobs = delete_unreferenced_rows(*db_, candidates);
    txn.commit();
  }
  for (const auto& digest : report.deleted_blobs) report.freed_bytes += blobs_.remove(digest);
  return report;
}

}  // namespace schicht::store
