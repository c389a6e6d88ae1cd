#include "store/usage.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <unordered_set>

#include "core/error.h"
#include "store/db.h"

namespace schicht::store {

size_t DigestTextHash::operator()(std::string_view digest) const {
  uint64_t word = 0;
  const size_t n = std::min<size_t>(digest.size(), sizeof word);
  std::memcpy(&word, digest.data() + digest.size() - n, n);
  return std::hash<uint64_t>{}(word);
}

Usage usage(Store& store) {
  Usage u;
  // The GC edges: image -> config, image -> manifests -> layers. UNION ALL, and duplicates
  // (a layer in two manifests of one image) dropped per image below: SQLite's UNION built a
  // temporary index of every row, half the time of `system df` at 1,000 images.
  Statement st(store.db(),
               "SELECT i.id, b.digest, b.size FROM images i JOIN blobs b ON b.digest = i.id "
               "UNION ALL SELECT m.image_id, b.digest, b.size FROM image_manifests m "
               "JOIN blobs b ON b.digest = m.digest "
               "UNION ALL SELECT m.image_id, b.digest, b.size FROM image_manifests m "
               "JOIN manifest_layers l ON l.manifest_digest = m.digest "
               "JOIN blobs b ON b.digest = l.layer_digest");
  // Blobs are numbered as they come, so the rest works on integers, not 71-byte strings.
  std::unordered_map<std::string, uint32_t, DigestTextHash, std::equal_to<>> number;
  while (st.step()) {
    std::string_view image = st.view(0), blob = st.view(1);
    auto found = number.find(blob);
    if (found == number.end()) {
      found = number.emplace(std::string(blob), static_cast<uint32_t>(u.blob_digests.size())).first;
      u.blob_digests.emplace_back(blob);
      u.blob_sizes.push_back(static_cast<uint64_t>(st.integer(2)));
    }
    auto of = u.blobs_of.find(image);
    if (of == u.blobs_of.end())
      of = u.blobs_of.emplace(std::string(image), std::vector<uint32_t>{}).first;
    of->second.push_back(found->second);
  }
  u.blob_users.assign(u.blob_digests.size(), 0);
  for (auto& [image, blobs] : u.blobs_of) {
    std::sort(blobs.begin(), blobs.end());
    blobs.erase(std::unique(blobs.begin(), blobs.end()), blobs.end());
    for (uint32_t blob : blobs) u.blob_users[blob] += 1;
  }
  for (uint64_t size : u.blob_sizes) u.image_bytes += size;
  u.images.reserve(u.blobs_of.size());
  for (const auto& [image, blobs] : u.blobs_of) {
    ImageUsage& iu = u.images[image];
    for (uint32_t blob : blobs) {
      iu.bytes += u.blob_sizes[blob];
      if (u.blob_users[blob] > 1) iu.shared += u.blob_sizes[blob];
    }
  }
  return u;
}

std::vector<std::string> Usage::blobs_freed_by(const std::vector<std::string>& ids) const {
  std::vector<uint32_t> removed(blob_digests.size(), 0);  // blob -> how many of `ids` use it
  std::vector<uint32_t> touched;
  for (const auto& id : ids) {
    auto it = blobs_of.find(id);
    if (it == blobs_of.end()) continue;
    for (uint32_t blob : it->second) {
      if (removed[blob]++ == 0) touched.push_back(blob);
    }
  }
  std::sort(touched.begin(), touched.end(),
            [&](uint32_t a, uint32_t b) { return blob_digests[a] < blob_digests[b]; });
  std::vector<std::string> freed;
  for (uint32_t blob : touched) {
    if (blob_users[blob] == removed[blob]) freed.push_back(blob_digests[blob]);
  }
  return freed;
}

uint64_t Usage::freed_by(const std::vector<std::string>& ids) const {
  std::vector<uint32_t> removed(blob_digests.size(), 0);
  uint64_t freed = 0;
  for (const auto& id : ids) {
    auto it = blobs_of.find(id);
    if (it == blobs_of.end()) continue;
    for (uint32_t blob : it->second) {
      if (++removed[blob] == blob_users[blob]) freed += blob_sizes[blob];
    }
  }
  return freed;
}

std::vector<std::string> blobs_freed_by(Store& store, const std::vector<std::string>& ids) {
  std::unordered_set<std::string_view, DigestTextHash, std::equal_to<>> doomed(ids.begin(),
                                                                               ids.end());
  // The GC edges as usage() reads them, without joining every edge to its blob row (two thirds
  // of the walk at 10,000 images): rows are checked below for the freed blobs only.
  Statement edges(store.db(),
                  "SELECT id, id FROM images UNION ALL SELECT image_id, digest FROM "
                  "image_manifests UNION ALL SELECT m.image_id, l.layer_digest FROM "
                  "image_manifests m JOIN manifest_layers l ON l.manifest_digest = m.digest");
  constexpr uint8_t kByDoomed = 1, kByKept = 2;
  std::unordered_map<std::string, uint8_t, DigestTextHash, std::equal_to<>> users;
  users.reserve(ids.size() * 4);
  while (edges.step()) {
    const uint8_t by = doomed.count(edges.view(0)) != 0 ? kByDoomed : kByKept;
    std::string_view blob = edges.view(1);
    if (auto found = users.find(blob); found != users.end()) {
      found->second |= by;
    } else {
      users.emplace(std::string(blob), by);
    }
  }
  // Only blobs with a row are deleted: the blob rows in the primary key's order, each looked up
  // (sorting the candidates' digests instead was a fifth of a dry run at 10,000 images).
  std::vector<std::string> freed;
  Statement rows(store.db(), "SELECT digest FROM blobs ORDER BY digest");
  while (rows.step()) {
    std::string_view row = rows.view(0);
    if (auto found = users.find(row); found != users.end() && found->second == kByDoomed) {
      freed.emplace_back(row);
    }
  }
  return freed;
}

ImageTotals image_totals(Store& store) {
  // The count and the bytes are kept by triggers (schema.cc, migration 8); what containers use
  // is read from the containers outward (CROSS JOIN keeps SQLite from starting at the 10,000
  // manifests), so it costs nothing without containers. UNION: each blob once.
  Statement st(store.db(), R"sql(
SELECT t.images, t.bytes,
  (SELECT COUNT(DISTINCT image_id) FROM containers),
  (SELECT COALESCE(SUM(b.size), 0) FROM (
     SELECT c.image_id AS digest FROM containers c
     UNION SELECT m.digest FROM containers c CROSS JOIN image_manifests m ON m.image_id = c.image_id
     UNION SELECT l.layer_digest FROM containers c
       CROSS JOIN image_manifests m ON m.image_id = c.image_id
       CROSS JOIN manifest_layers l ON l.manifest_digest = m.digest) u
   CROSS JOIN blobs b ON b.digest = u.digest)
FROM image_totals t
)sql");
  if (!st.step()) fail(ErrorKind::kIntegrity, "the store's image totals are missing");
  ImageTotals totals;
  totals.images = static_cast<uint64_t>(st.integer(0));
  totals.bytes = static_cast<uint64_t>(st.integer(1));
  totals.active = static_cast<uint64_t>(st.integer(2));
  totals.reclaimable = totals.bytes - static_cast<uint64_t>(st.integer(3));
  return totals;
}

ImageTotals counted_image_totals(Store& store) {
  // A blob counts when an image references it as its config, a manifest or a layer; the
  // EXISTS probes are index lookups per blob, where a DISTINCT over the edges would sort them.
  Statement st(store.db(), R"sql(
SELECT (SELECT COUNT(*) FROM images),
  (SELECT COALESCE(SUM(b.size), 0) FROM blobs b
    WHERE EXISTS (SELECT 1 FROM images i WHERE i.id = b.digest)
       OR EXISTS (SELECT 1 FROM image_manifests m WHERE m.digest = b.digest)
       OR EXISTS (SELECT 1 FROM manifest_layers l WHERE l.layer_digest = b.digest))
)sql");
  st.step();
  ImageTotals totals;
  totals.images = static_cast<uint64_t>(st.integer(0));
  totals.bytes = static_cast<uint64_t>(st.integer(1));
  return totals;
}

void set_image_totals(Db& db, const ImageTotals& totals) {
  Statement(db, "UPDATE image_totals SET images = ?, bytes = ?")
      .bind(1, static_cast<int64_t>(totals.images))
      .bind(2, static_cast<int64_t>(totals.bytes))
      .run();
}

}  // namespace schicht::store
