#include "store/check.h"

#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <set>

#include <fmt/format.h>

#include "core/error.h"
#include "store/db.h"
#include "store/usage.h"

namespace schicht::store {
namespace {

// Hashes a stored blob; nullopt when it cannot be read.
std::optional<Digest> hash_blob(const BlobStore& blobs, const Digest& digest) {
  try {
    auto fd = blobs.open(digest);
    FdReader reader(fd.get(), blobs.path_of(digest).string());
    HashingReader hashing(reader);
    std::vector<char> buffer(kIoBufferSize);
    while (hashing.read(buffer.data(), buffer.size()) != 0) {
    }
    return hashing.finish();
  } catch (const Error&) {
    return std::nullopt;  // reported by the caller as a damaged blob
  }
}

// Which file a blob name denoted when it was hashed: blob files never change in place, so the
// same file still has the content it hashed to.
struct FileId {
  dev_t dev = 0;
  ino_t ino = 0;
  bool operator==(const FileId&) const = default;
};

std::optional<FileId> file_id(const BlobStore& blobs, const Digest& digest) {
  struct stat st {};
  if (::lstat(blobs.path_of(digest).c_str(), &st) != 0) return std::nullopt;
  return FileId{st.st_dev, st.st_ino};
}

// What is wrong with a recorded blob of `size` bytes, or "" when nothing is. `hashed_bad` is the
// file that already hashed wrong (not hashed again while it is still the same file).
std::string blob_damage(const BlobStore& blobs, const Digest& digest, int64_t size, bool quick,
                        std::optional<FileId>* hashed_bad) {
  auto actual = blobs.size_of(digest);
  if (!actual) return "missing";
  if (*actual != static_cast<uint64_t>(size)) {
    return fmt::format("{} bytes instead of {}", *actual, size);
  }
  if (quick) return "";
  auto id = file_id(blobs, digest);
  if (hashed_bad != nullptr && *hashed_bad && id == *hashed_bad) {
    return "content does not match its digest";
  }
  if (hash_blob(blobs, digest) == digest) return "";
  if (hashed_bad != nullptr) *hashed_bad = id;
  return "content does not match its digest";
}

// Image ID → names (or the ID), for messages.
std::string image_label(Db& db, const std::string& id) {
  Statement st(db, "SELECT name FROM names WHERE image_id = ? ORDER BY added, rowid LIMIT 1");
  st.bind(1, id);
  if (st.step()) return fmt::format("{} ({})", st.text(0), id);
  return id;
}

// The blobs each image references (config, manifests, their layers), with whether a blob row
// records each.
constexpr std::string_view kImageBlobs =
    "SELECT r.image, r.blob, b.digest IS NOT NULL FROM ("
    "SELECT id AS image, id AS blob FROM images UNION "
    "SELECT image_id, digest FROM image_manifests UNION "
    "SELECT m.image_id, l.layer_digest FROM image_manifests m "
    "JOIN manifest_layers l ON l.manifest_digest = m.digest) r "
    "LEFT JOIN blobs b ON b.digest = r.blob";

constexpr std::string_view kReferenced =
    "SELECT id FROM images UNION SELECT digest FROM image_manifests UNION "
    "SELECT layer_digest FROM manifest_layers UNION SELECT digest FROM lists UNION "
    "SELECT digest FROM build_cache_blobs UNION SELECT digest FROM artifact_blobs";

// A deferred read transaction: every query inside sees one snapshot of the database.
class ReadSnapshot {
 public:
  explicit ReadSnapshot(Db& db) : db_(db) { db_.exec("BEGIN"); }
  ~ReadSnapshot() {
    ignore_error("ending a read-only transaction changes nothing", [&] { db_.exec("ROLLBACK"); });
  }
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;

 private:
  Db& db_;
};

// What the unlocked first pass suspects. Nothing is reported or removed on its word alone:
// beside live commands a row may go, a blob appear or an image be committed between two
// queries or two stats, so every suspect is confirmed under gc.lock (below).
struct Suspects {
  std::map<std::string, std::optional<FileId>> damaged;  // recorded blobs, with a bad hash's file
  bool unrecorded = false;                               // an image names a blob without a row
  std::set<std::string> orphans;                         // blobs nothing seemed to reference
  std::set<int64_t> dead_leases;
};

Suspects first_pass(Store& store, const CheckOptions& options, CheckReport& report) {
  Suspects s;
  const BlobStore& blobs = store.blobs();
  std::vector<std::pair<std::string, int64_t>> recorded;
  std::set<std::string> referenced, images, recorded_names;
  std::set<std::string> leased;
  {
    ReadSnapshot snapshot(store.db());
    Statement st(store.db(), "SELECT digest, size FROM blobs");
    while (st.step()) recorded.emplace_back(st.text(0), st.integer(1));
    Statement refs(store.db(), kImageBlobs);
    while (refs.step()) {
      images.insert(refs.text(0));
      if (refs.integer(2) == 0) s.unrecorded = true;
    }
    Statement all(store.db(), kReferenced);
    while (all.step()) referenced.insert(all.text(0));
    leased = live_leased_blobs(store.db());
    int64_t now = now_ns();
    Statement leases(store.db(), "SELECT id, pid, boot_id, expires FROM leases");
    while (leases.step()) {
      if (!lease_is_live(leases.integer(1), leases.text(2), leases.integer(3), now)) {
        s.dead_leases.insert(leases.integer(0));
      }
    }
  }
  report.images_checked = images.size();
  report.blobs_checked = recorded.size();
  for (const auto& [digest, size] : recorded) {
    recorded_names.insert(digest);
    std::optional<FileId> bad;
    if (!blob_damage(blobs, Digest::parse(digest), size, options.quick, &bad).empty()) {
      s.damaged[digest] = bad;
    }
  }
  auto consider = [&](const std::string& d) {
    if (referenced.count(d) == 0 && leased.count(d) == 0) s.orphans.insert(d);
  };
  for (const auto& d : recorded_names) consider(d);
  blobs.walk([&](const Digest& d, uint64_t) { consider(d.str()); });
  return s;
}

// Under gc.lock, inside the write transaction: the suspects that are really wrong now, and with
// repair their removal. Returns the candidate blobs for the store to delete when unreferenced.
std::vector<std::string> confirm(Store& store, Db& db, Suspects& s, const CheckOptions& options,
                                 CheckReport& report, RemovalReport& removed) {
  const BlobStore& blobs = store.blobs();
  std::vector<std::string> candidates;
  int64_t now = now_ns();

  // Leases: liveness is judged again; ids are never reused (AUTOINCREMENT).
  for (int64_t id : s.dead_leases) {
    Statement st(db, "SELECT pid, boot_id, expires FROM leases WHERE id = ?");
    st.bind(1, id);
    if (!st.step() || lease_is_live(st.integer(0), st.text(1), st.integer(2), now)) continue;
    report.problems.push_back(fmt::format("dead lease {} of process {}", id, st.integer(0)));
    if (options.repair) {
      Statement(db, "DELETE FROM leases WHERE id = ?").bind(1, id).run();
      report.repairs.push_back(fmt::format("removed dead lease {}", id));
    } else {
      ++report.unrepaired;
    }
  }

  // Damaged blobs: with gc.lock held no deleter is between its commit and its unlink, and
  // blob files are complete before their rows are written: a row whose file is missing or
  // wrong now is damage, not a race.
  std::map<std::string, std::string> damaged;  // digest → what is wrong
  for (auto& [digest, bad] : s.damaged) {
    Statement st(db, "SELECT size FROM blobs WHERE digest = ?");
    st.bind(1, digest);
    if (!st.step()) continue;
    std::string why = blob_damage(blobs, Digest::parse(digest), st.integer(0), options.quick, &bad);
    if (!why.empty()) damaged[digest] = why;
  }
  std::map<std::string, std::vector<std::string>> images;  // image → what is wrong
  if (!damaged.empty() || s.unrecorded) {
    Statement refs(db, kImageBlobs);
    while (refs.step()) {
      std::string blob = refs.text(1);
      if (auto it = damaged.find(blob); it != damaged.end()) {
        images[refs.text(0)].push_back(fmt::format("blob {}: {}", blob, it->second));
      } else if (refs.integer(2) == 0) {
        images[refs.text(0)].push_back(fmt::format("blob {}: not recorded", blob));
      }
    }
  }
  for (const auto& [id, why] : images) {
    std::string label = image_label(db, id);
    for (const auto& w : why)
      report.problems.push_back(fmt::format("damaged image {}: {}", label, w));
    Statement user(db, "SELECT 1 FROM containers WHERE image_id = ? LIMIT 1");
    user.bind(1, id);
    if (options.repair && options.force && !user.step()) {
      drop_image_rows(db, Digest::parse(id), removed, candidates);
      report.repairs.push_back(fmt::format("removed damaged image {}", label));
    } else {
      report.unrepaired += why.size();
    }
  }
  // Artifacts (artifacts.h) hold their blobs as roots: a damaged one damages the artifact, which
  // goes (and frees its other blobs) only with --force, as an image does.
  std::map<std::string, std::vector<std::string>> artifacts;  // name → what is wrong
  for (const auto& [digest, why] : damaged) {
    Statement st(db, "SELECT name FROM artifact_blobs WHERE digest = ?");
    st.bind(1, digest);
    while (st.step()) artifacts[st.text(0)].push_back(fmt::format("blob {}: {}", digest, why));
  }
  for (const auto& [name, why] : artifacts) {
    for (const auto& w : why)
      report.problems.push_back(fmt::format("damaged artifact {}: {}", name, w));
    if (options.repair && options.force) {
      Statement st(db, "SELECT digest FROM artifact_blobs WHERE name = ?");
      st.bind(1, name);
      while (st.step()) candidates.push_back(st.text(0));
      Statement(db, "DELETE FROM artifacts WHERE name = ?").bind(1, name).run();
      report.repairs.push_back(fmt::format("removed damaged artifact {}", name));
    } else {
      report.unrepaired += why.size();
    }
  }
  // A damaged blob no image uses any more (its images went) goes with the orphans.
  for (const auto& [digest, why] : damaged) s.orphans.insert(digest);

  // Orphans: references and leases are read again in this transaction. A live write records
  // its lease before it checks for the blob under gc.lock and renames its file only after
  // that, so a blob file that appeared is covered by a lease row visible here.
  std::set<std::string> leased = live_leased_blobs(db);
  for (const auto& digest : s.orphans) {
    if (blob_in_use(db, digest, leased)) continue;
    bool on_disk = blobs.exists(Digest::parse(digest));
    Statement row(db, "SELECT 1 FROM blobs WHERE digest = ?");
    row.bind(1, digest);
    if (!on_disk && !row.step()) continue;  // gone meanwhile
    if (damaged.count(digest) == 0) {
      report.problems.push_back(fmt::format("unreferenced blob {}", digest));
      if (!options.repair) ++report.unrepaired;
    }
    if (options.repair) candidates.push_back(digest);
  }
  return candidates;
}

// The image totals `system df` reads (kept by triggers) against a recount, both read in one
// snapshot (a write transaction for repair) so that no writer changes rows between the two.
bool image_totals_match(Store& store, CheckReport& report) {
  const ImageTotals kept = image_totals(store), counted = counted_image_totals(store);
  if (kept.images == counted.images && kept.bytes == counted.bytes) return true;
  report.problems.push_back(
      fmt::format("image totals: {} images of {} bytes recorded, {} images of {} bytes counted",
                  kept.images, kept.bytes, counted.images, counted.bytes));
  return false;
}

void check_image_totals(Store& store, const CheckOptions& options, CheckReport& report) {
  if (!options.repair) {
    ReadSnapshot snapshot(store.db());
    if (!image_totals_match(store, report)) ++report.unrepaired;
    return;
  }
  Transaction txn(store.db());
  if (image_totals_match(store, report)) return;
  set_image_totals(store.db(), counted_image_totals(store));
  txn.commit();
  report.repairs.push_back("set the image totals to the recount");
}

}  // namespace

CheckReport check_store(Store& store, const CheckOptions& options) {
  CheckReport report;
  Suspects suspects = first_pass(store, options, report);

  if (!suspects.damaged.empty() || suspects.unrecorded || !suspects.orphans.empty() ||
      !suspects.dead_leases.empty()) {
    auto decide = [&](Db& db, RemovalReport& removed) {
      return confirm(store, db, suspects, options, report, removed);
    };
    RemovalReport removed = store.remove_exclusively(decide);
    for (const auto& d : removed.deleted_blobs) {
      report.repairs.push_back(fmt::format("removed unreferenced blob {}", d.str()));
    }
  }

  check_image_totals(store, options, report);

  // Ingest files nobody writes: each is removed only while its lock is held (remove_stale_ingest),
  // so a writer that just created one never loses it.
  for (const auto& p : store.blobs().stale_ingests()) {
    report.problems.push_back(fmt::format("stale ingest file {}", p.string()));
    if (options.repair && store.blobs().remove_stale_ingest(p)) {
      report.repairs.push_back(fmt::format("removed stale ingest file {}", p.string()));
    } else if (!options.repair) {
      ++report.unrepaired;
    }
  }
  return report;
}

}  // namespace schicht::store
