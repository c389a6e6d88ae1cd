#include "store/artifacts.h"

#include <map>

#include <fmt/format.h>

#include "core/error.h"
#include "store/db.h"
#include "store/owned_blobs.h"

namespace schicht::store {
namespace {

constexpr std::string_view kSelect = "SELECT name, manifest_digest, added FROM artifacts";

ArtifactInfo read_artifact(const Statement& st) {
  return ArtifactInfo{
      .name = st.text(0), .manifest = Digest::parse(st.text(1)), .added = st.integer(2)};
}

std::vector<std::string> blobs_of(Db& db, const std::string& name) {
  std::vector<std::string> out;
  Statement st(db, "SELECT digest FROM artifact_blobs WHERE name = ?");
  st.bind(1, name);
  while (st.step()) out.push_back(st.text(0));
  return out;
}

std::vector<Digest> as_digests(const std::vector<std::string>& texts) {
  std::vector<Digest> out;
  for (const auto& t : texts) out.push_back(Digest::parse(t));
  return out;
}

// The rows of the artifact `name` (the caller's transaction).
void insert_artifact(Db& db, const std::string& name, const std::vector<ArtifactBlob>& blobs) {
  Statement(db, "INSERT INTO artifacts(name, manifest_digest, added) VALUES (?, ?, ?)")
      .bind(1, name)
      .bind(2, blobs.front().digest.str())
      .bind(3, now_ns())
      .run();
  for (const auto& b : blobs) {
    Statement(db, "INSERT OR IGNORE INTO blobs(digest, size, media_type) VALUES (?, ?, ?)")
        .bind(1, b.digest.str())
        .bind(2, static_cast<int64_t>(b.size))
        .bind(3, b.media_type)
        .run();
    Statement(db, "INSERT OR IGNORE INTO artifact_blobs(name, digest) VALUES (?, ?)")
        .bind(1, name)
        .bind(2, b.digest.str())
        .run();
  }
}

}  // namespace

void recover_artifact(Store& store, const std::string& name,
                      const std::vector<ArtifactBlob>& blobs) {
  if (blobs.empty()) fail(ErrorKind::kInternal, "an artifact without its manifest");
  Db& db = store.db();
  Transaction txn(db);
  Statement old(db, "SELECT 1 FROM artifacts WHERE name = ?");
  old.bind(1, name);
  if (old.step()) fail(ErrorKind::kConflict, fmt::format("{}: artifact already exists", name));
  insert_artifact(db, name, blobs);
  txn.commit();
}

std::vector<std::string> remove_artifact_rows_without_blobs(Store& store) {
  std::vector<std::string> removed;
  Db& db = store.db();
  Transaction txn(db);
  std::map<std::string, std::string> broken;  // name -> what is wrong
  Statement st(db,
               "SELECT a.name, a.digest, b.size FROM artifact_blobs a "
               "LEFT JOIN blobs b ON b.digest = a.digest ORDER BY a.name, a.digest");
  while (st.step()) {
    std::string name = st.text(0);
    if (broken.contains(name)) continue;
    Digest digest = Digest::parse(st.text(1));
    std::optional<uint64_t> size = store.blobs().size_of(digest);
    if (!size) {
      broken[name] = fmt::format("blob {} is missing", digest.str());
    } else if (!st.is_null(2) && *size != static_cast<uint64_t>(st.integer(2))) {
      broken[name] =
          fmt::format("blob {} has {} bytes instead of {}", digest.str(), *size, st.integer(2));
    }
  }
  for (const auto& [name, why] : broken) {
    Statement(db, "DELETE FROM artifacts WHERE name = ?").bind(1, name).run();
    removed.push_back(fmt::format("{}: {}", name, why));
  }
  txn.commit();
  return removed;
}

std::optional<ArtifactInfo> artifact_by_name(Store& store, const std::string& name) {
  Statement st(store.db(), std::string(kSelect) + " WHERE name = ?");
  st.bind(1, name);
  if (!st.step()) return std::nullopt;
  return read_artifact(st);
}

std::vector<ArtifactInfo> artifacts_with_digest_prefix(Store& store, std::string_view hex_prefix) {
  std::vector<ArtifactInfo> out;
  Statement st(store.db(), std::string(kSelect) +
                               " WHERE substr(manifest_digest, 8, ?1) = ?2 ORDER BY added, name");
  st.bind(1, static_cast<int64_t>(hex_prefix.size()));
  st.bind(2, hex_prefix);
  while (st.step()) out.push_back(read_artifact(st));
  return out;
}

std::vector<ArtifactInfo> artifacts(Store& store) {
  std::vector<ArtifactInfo> out;
  Statement st(store.db(), std::string(kSelect) + " ORDER BY added, name");
  while (st.step()) out.push_back(read_artifact(st));
  return out;
}

void put_artifact(Store& store, ImageWriter& writer, const std::string& name,
                  const std::vector<ArtifactBlob>& blobs, const std::optional<Digest>& expected) {
  if (blobs.empty()) fail(ErrorKind::kInternal, "an artifact without its manifest");
  std::vector<std::string> previous;
  {
    Db& db = store.db();
    Transaction txn(db);
    Statement old(db, "SELECT manifest_digest FROM artifacts WHERE name = ?");
    old.bind(1, name);
    std::optional<std::string> now_there;
    if (old.step()) now_there = old.text(0);
    if (now_there != (expected ? std::optional(expected->str()) : std::nullopt)) {
      fail(ErrorKind::kConflict,
           fmt::format("artifact {} was changed by another process meanwhile; try again", name));
    }
    if (now_there) {
      previous = blobs_of(db, name);
      Statement(db, "DELETE FROM artifacts WHERE name = ?").bind(1, name).run();
    }
    insert_artifact(db, name, blobs);
    txn.commit();
    writer.commit();
  }
  if (!previous.empty()) store.collect_garbage(as_digests(previous));
}

bool remove_artifact(Store& store, const std::string& name) {
  std::vector<std::string> blobs;
  {
    Db& db = store.db();
    Transaction txn(db);
    Statement st(db, "SELECT 1 FROM artifacts WHERE name = ?");
    st.bind(1, name);
    if (!st.step()) return false;
    blobs = blobs_of(db, name);
    Statement(db, "DELETE FROM artifacts WHERE name = ?").bind(1, name).run();
    txn.commit();
  }
  store.collect_garbage(as_digests(blobs));
  return true;
}

ArtifactTotals artifact_totals(Store& store) {
  OwnedBlobs owned =
      count_owned_blobs(store.db(), "SELECT COUNT(*) FROM artifacts",
                        "SELECT b.size, EXISTS(SELECT 1 FROM images WHERE id = b.digest UNION ALL "
                        "SELECT 1 FROM image_manifests WHERE digest = b.digest UNION ALL "
                        "SELECT 1 FROM manifest_layers WHERE layer_digest = b.digest UNION ALL "
                        "SELECT 1 FROM lists WHERE digest = b.digest) "
                        "FROM blobs b WHERE b.digest IN (SELECT digest FROM artifact_blobs)");
  return {.artifacts = owned.owners, .bytes = owned.bytes, .reclaimable = owned.reclaimable};
}

}  // namespace schicht::store
