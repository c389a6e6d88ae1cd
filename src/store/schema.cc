#include "store/schema.h"

#include <array>
#include <string_view>

#include <fmt/format.h>

#include "core/error.h"
#include "store/db.h"

namespace schicht::store {
namespace {

// Never edit a migration that has shipped: append a new one.
constexpr std::array<std::string_view, 8> kMigrations = {
    R"sql(
CREATE TABLE blobs (
  digest TEXT PRIMARY KEY,
  size INTEGER NOT NULL,
  media_type TEXT NOT NULL DEFAULT ''
);
CREATE TABLE layers (
  digest TEXT PRIMARY KEY REFERENCES blobs(digest),
  diff_id TEXT NOT NULL,
  uncompressed_size INTEGER NOT NULL
);
CREATE INDEX layers_by_diff_id ON layers(diff_id);
CREATE TABLE images (
  id TEXT PRIMARY KEY,
  manifest_digest TEXT NOT NULL,
  manifest_media_type TEXT NOT NULL,
  created INTEGER NOT NULL,
  added INTEGER NOT NULL,
  last_used INTEGER NOT NULL,
  size INTEGER NOT NULL,
  os TEXT NOT NULL DEFAULT '',
  architecture TEXT NOT NULL DEFAULT '',
  variant TEXT NOT NULL DEFAULT '',
  labels TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE image_manifests (
  digest TEXT PRIMARY KEY,
  image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  media_type TEXT NOT NULL,
  added INTEGER NOT NULL
);
CREATE INDEX image_manifests_by_image ON image_manifests(image_id);
CREATE TABLE manifest_layers (
  manifest_digest TEXT NOT NULL REFERENCES image_manifests(digest) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  layer_digest TEXT NOT NULL,
  PRIMARY KEY (manifest_digest, position)
);
CREATE INDEX manifest_layers_by_layer ON manifest_layers(layer_digest);
CREATE TABLE names (
  name TEXT PRIMARY KEY,
  image_id TEXT NOT NULL REFERENCES images(id),
  added INTEGER NOT NULL
);
CREATE INDEX names_by_image ON names(image_id);
CREATE TABLE tag_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  time INTEGER NOT NULL,
  name TEXT NOT NULL,
  action TEXT NOT NULL,
  from_image TEXT,
  to_image TEXT
);
CREATE INDEX tag_log_by_name ON tag_log(name);
CREATE TABLE leases (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  pid INTEGER NOT NULL,
  boot_id TEXT NOT NULL,
  expires INTEGER NOT NULL
);
CREATE TABLE lease_blobs (
  lease_id INTEGER NOT NULL REFERENCES leases(id) ON DELETE CASCADE,
  digest TEXT NOT NULL,
  PRIMARY KEY (lease_id, digest)
);
CREATE INDEX lease_blobs_by_digest ON lease_blobs(digest);
)sql",
    R"sql(
CREATE TABLE containers (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  image_id TEXT NOT NULL REFERENCES images(id),
  image_name TEXT NOT NULL,
  command TEXT NOT NULL,
  created INTEGER NOT NULL,
  chain_id TEXT NOT NULL,
  size INTEGER NOT NULL
);
CREATE INDEX containers_by_image ON containers(image_id);
)sql",
    R"sql(
CREATE TABLE lists (
  digest TEXT PRIMARY KEY REFERENCES blobs(digest),
  media_type TEXT NOT NULL,
  format TEXT NOT NULL,
  added INTEGER NOT NULL
);
CREATE TABLE list_names (
  name TEXT PRIMARY KEY,
  list_digest TEXT NOT NULL REFERENCES lists(digest),
  added INTEGER NOT NULL
);
CREATE INDEX list_names_by_list ON list_names(list_digest);
)sql",
    // Where a list's remote-only instances come from, so `manifest push --all` can copy them.
    R"sql(
CREATE TABLE list_sources (
  list_digest TEXT NOT NULL REFERENCES lists(digest),
  instance TEXT NOT NULL,
  repository TEXT NOT NULL,
  PRIMARY KEY (list_digest, instance)
);
)sql",
    // The build cache (build_cache.h): a step's key -> the image state it produced; the blobs
    // each entry holds are GC roots until the entry is pruned.
    R"sql(
CREATE TABLE build_cache (
  key TEXT PRIMARY KEY,
  config_digest TEXT NOT NULL,
  layers TEXT NOT NULL,
  created INTEGER NOT NULL
);
CREATE TABLE build_cache_blobs (
  key TEXT NOT NULL REFERENCES build_cache(key) ON DELETE CASCADE,
  digest TEXT NOT NULL,
  PRIMARY KEY (key, digest)
);
CREATE INDEX build_cache_blobs_by_digest ON build_cache_blobs(digest);
)sql",
    // One image's names history (inspect's NamesHistory) without reading the whole tag log.
    R"sql(
CREATE INDEX tag_log_by_to_image ON tag_log(to_image);
)sql",
    // OCI artifacts (artifacts.h): a name -> a manifest, apart from images; every blob of an
    // artifact is a GC root while the artifact exists.
    R"sql(
CREATE TABLE artifacts (
  name TEXT PRIMARY KEY,
  manifest_digest TEXT NOT NULL,
  added INTEGER NOT NULL
);
CREATE TABLE artifact_blobs (
  name TEXT NOT NULL REFERENCES artifacts(name) ON DELETE CASCADE,
  digest TEXT NOT NULL,
  PRIMARY KEY (name, digest)
);
CREATE INDEX artifact_blobs_by_digest ON artifact_blobs(digest);
)sql",
    // system df's Images totals (usage.h) kept exact by triggers, in the same transaction as
    // every write: the image count, and the bytes of the blobs some image references (config,
    // manifest, layer), each once. A blob counts while it has a row and a reference: triggers
    // act on a reference count's 0 <-> 1 steps (image_blob_refs; the layer count stops at 2:
    // a base layer of 10,000 images costs one index probe, not 10,000) and on a referenced blob
    // row's insert, delete (before: the view reads the row) or resize. INSERT OR REPLACE fires
    // the delete triggers too: Db turns on recursive_triggers. `system check` recounts them
    // (check.cc). Every command parses the schema: the triggers are kept short.
    R"sql(
CREATE TABLE image_totals (
  id INTEGER PRIMARY KEY CHECK (id = 0),
  images INTEGER NOT NULL,
  bytes INTEGER NOT NULL
);
CREATE VIEW image_blob_refs AS SELECT digest, size,
  (SELECT COUNT(*) FROM images WHERE id = b.digest)
  + (SELECT COUNT(*) FROM image_manifests WHERE digest = b.digest)
  + (SELECT COUNT(*) FROM (SELECT 1 FROM manifest_layers WHERE layer_digest = b.digest LIMIT 2))
  AS refs FROM blobs b;
INSERT INTO image_totals(id, images, bytes) VALUES (0, (SELECT COUNT(*) FROM images),
  (SELECT COALESCE(SUM(size), 0) FROM image_blob_refs WHERE refs > 0));
CREATE TRIGGER image_totals_images_insert AFTER INSERT ON images BEGIN
  UPDATE image_totals SET images = images + 1, bytes = bytes + COALESCE((SELECT size FROM image_blob_refs WHERE digest = NEW.id AND refs = 1), 0);
END;
CREATE TRIGGER image_totals_images_delete AFTER DELETE ON images BEGIN
  UPDATE image_totals SET images = images - 1, bytes = bytes - COALESCE((SELECT size FROM image_blob_refs WHERE digest = OLD.id AND refs = 0), 0);
END;
CREATE TRIGGER image_totals_image_manifests_insert AFTER INSERT ON image_manifests BEGIN
  UPDATE image_totals SET bytes = bytes + COALESCE((SELECT size FROM image_blob_refs WHERE digest = NEW.digest AND refs = 1), 0);
END;
CREATE TRIGGER image_totals_image_manifests_delete AFTER DELETE ON image_manifests BEGIN
  UPDATE image_totals SET bytes = bytes - COALESCE((SELECT size FROM image_blob_refs WHERE digest = OLD.digest AND refs = 0), 0);
END;
CREATE TRIGGER image_totals_manifest_layers_insert AFTER INSERT ON manifest_layers BEGIN
  UPDATE image_totals SET bytes = bytes + COALESCE((SELECT size FROM image_blob_refs WHERE digest = NEW.layer_digest AND refs = 1), 0);
END;
CREATE TRIGGER image_totals_manifest_layers_delete AFTER DELETE ON manifest_layers BEGIN
  UPDATE image_totals SET bytes = bytes - COALESCE((SELECT size FROM image_blob_refs WHERE digest = OLD.layer_digest AND refs = 0), 0);
END;
CREATE TRIGGER image_totals_blobs_insert AFTER INSERT ON blobs BEGIN
  UPDATE image_totals SET bytes = bytes + COALESCE((SELECT size FROM image_blob_refs WHERE digest = NEW.digest AND refs > 0), 0);
END;
CREATE TRIGGER image_totals_blobs_delete BEFORE DELETE ON blobs BEGIN
  UPDATE image_totals SET bytes = bytes - COALESCE((SELECT size FROM image_blob_refs WHERE digest = OLD.digest AND refs > 0), 0);
END;
CREATE TRIGGER image_totals_blobs_size AFTER UPDATE OF size ON blobs BEGIN
  UPDATE image_totals SET bytes = bytes + COALESCE((SELECT NEW.size - OLD.size FROM image_blob_refs WHERE digest = NEW.digest AND refs > 0), 0);
END;
)sql",
};

int user_version(Db& db) {
  Statement st(db, "PRAGMA user_version");
  st.step();
  return static_cast<int>(st.integer(0));
}

}  // namespace

int latest_schema_version() {
  return static_cast<int>(kMigrations.size());
}

bool schema_current(Db& db) {
  return user_version(db) == static_cast<int>(kMigrations.size());
}

void migrate(Db& db) {
  if (schema_current(db)) return;
  for (;;) {
    Transaction txn(db);
    int version = user_version(db);  // re-read under the write lock: another process may migrate
    if (version > static_cast<int>(kMigrations.size())) {
      fail(ErrorKind::kUnsupported,
           fmt::format("store schema version {} is newer than this schicht understands ({})",
                       version, kMigrations.size()));
    }
    if (version == static_cast<int>(kMigrations.size())) return;
    db.exec(kMigrations[static_cast<size_t>(version)]);
    db.exec(fmt::format("PRAGMA user_version = {}", version + 1));
    txn.commit();
  }
}

}  // namespace schicht::store
