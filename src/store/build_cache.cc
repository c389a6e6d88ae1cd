#include "store/build_cache.h"

#include <nlohmann/json.hpp>

#include <set>

#include "core/error.h"
#include "store/db.h"
#include "store/owned_blobs.h"

namespace schicht::store {
namespace {

using nlohmann::json;

std::string layers_json(const std::vector<LayerInfo>& layers) {
  json out = json::array();
  for (const auto& l : layers) {
    out.push_back({{"digest", l.digest.str()},
                   {"size", l.size},
                   {"media_type", l.media_type},
                   {"diff_id", l.diff_id.str()},
                   {"uncompressed_size", l.uncompressed_size}});
  }
  return out.dump();
}

std::vector<LayerInfo> parse_layers(const std::string& text) {
  std::vector<LayerInfo> out;
  try {
    for (const auto& l : json::parse(text)) {
      out.push_back(LayerInfo{Digest::parse(l.at("digest").get<std::string>()),
                              l.at("size").get<uint64_t>(), l.at("media_type").get<std::string>(),
                              Digest::parse(l.at("diff_id").get<std::string>()),
                              l.at("uncompressed_size").get<uint64_t>()});
    }
  } catch (const json::exception&) {
    // Written by schicht itself: anything else is a damaged database.
    fail(ErrorKind::kIntegrity, "the build cache holds a damaged layer list");
  }
  return out;
}

}  // namespace

std::optional<CacheEntry> cache_lookup(Store& store, const std::string& key) {
  Statement st(store.db(),
               "SELECT c.config_digest, c.layers, c.created, b.size FROM build_cache c "
               "JOIN blobs b ON b.digest = c.config_digest WHERE c.key = ?");
  st.bind(1, key);
  if (!st.step()) return std::nullopt;
  CacheEntry entry{.config = Digest::parse(st.text(0)),
                   .config_size = static_cast<uint64_t>(st.integer(3)),
                   .layers = parse_layers(st.text(1)),
                   .created = st.integer(2)};
  // A blob removed behind the database's back (system check --repair) makes the entry a miss.
  if (!store.blobs().exists(entry.config)) return std::nullopt;
  for (const auto& l : entry.layers) {
    if (!store.blobs().exists(l.digest)) return std::nullopt;
  }
  return entry;
}

void cache_put(Store& store, const std::string& key, const CacheEntry& entry) {
  Db& db = store.db();
  Transaction txn(db);
  auto blob = [&](const Digest& d, uint64_t size, std::string_view media_type) {
    Statement(db, "INSERT OR IGNORE INTO blobs(digest, size, media_type) VALUES (?, ?, ?)")
        .bind(1, d.str())
        .bind(2, static_cast<int64_t>(size))
        .bind(3, media_type)
        .run();
    Statement(db, "INSERT OR IGNORE INTO build_cache_blobs(key, digest) VALUES (?, ?)")
        .bind(1, key)
        .bind(2, d.str())
        .run();
  };
  Statement(db, "DELETE FROM build_cache WHERE key = ?").bind(1, key).run();
  Statement(db, "INSERT INTO build_cache(key, config_digest, layers, created) VALUES (?, ?, ?, ?)")
      .bind(1, key)
      .bind(2, entry.config.str())
      .bind(3, layers_json(entry.layers))
      .bind(4, entry.created)
      .run();
  blob(entry.config, entry.config_size, "config");
  for (const auto& l : entry.layers) {
    blob(l.digest, l.size, l.media_type);
    Statement(db,
              "INSERT OR IGNORE INTO layers(digest, diff_id, uncompressed_size) VALUES (?, ?, ?)")
        .bind(1, l.digest.str())
        .bind(2, l.diff_id.str())
        .bind(3, static_cast<int64_t>(l.uncompressed_size))
        .run();
  }
  txn.commit();
}

CacheUsage cache_usage(Store& store) {
  OwnedBlobs owned =
      count_owned_blobs(store.db(), "SELECT COUNT(*) FROM build_cache",
                        "SELECT b.size, EXISTS(SELECT 1 FROM images WHERE id = b.digest UNION ALL "
                        "SELECT 1 FROM manifest_layers WHERE layer_digest = b.digest) "
                        "FROM blobs b WHERE b.digest IN (SELECT digest FROM build_cache_blobs)");
  return {.entries = owned.owners, .bytes = owned.bytes, .reclaimable = owned.reclaimable};
}

RemovalReport prune_build_cache(Store& store) {
  std::vector<Digest> candidates;
  {
    Db& db = store.db();
    Transaction txn(db);
    Statement st(db, "SELECT DISTINCT digest FROM build_cache_blobs");
    while (st.step()) candidates.push_back(Digest::parse(st.text(0)));
    db.exec("DELETE FROM build_cache_blobs");
    db.exec("DELETE FROM build_cache");
    txn.commit();
  }
  return store.collect_garbage(candidates);
}

}  // namespace schicht::store
