#include "store/store.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <unordered_map>

#include <fmt/format.h>

#include "core/error.h"
#include "core/kill_point.h"
#include "store/db.h"
#include "store/lost_database.h"
#include "store/names.h"
#include "store/names_journal.h"
#include "store/reserve.h"
#include "store/schema.h"

namespace schicht::store {

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

namespace {

// Why the store cannot be changed; empty when it can.
std::string unwritable_reason(const fs::path& root) {
  if (::access(root.c_str(), W_OK) == 0) return {};
  int error = errno;
  if (error != EROFS && error != EACCES) return {};  // the open that follows reports it
  return fmt::format("cannot change the store {}: {}", root.string(),
                     error == EROFS ? "read-only file system" : "permission denied");
}

// The root, created if missing, as an absolute path without symlinks: every path derived from
// it (mount points compared with /proc/self/mountinfo, lock files) is then the one the kernel
// reports, whatever the user typed (a relative path, a symlink on the way).
fs::path canonical_root(const fs::path& root) {
  make_dirs(root, 0700);
  std::unique_ptr<char, decltype(&std::free)> resolved(::realpath(root.c_str(), nullptr),
                                                       &std::free);
  if (!resolved) fail_errno("resolve", root.string());
  return fs::path(resolved.get());
}

// An additional store's root as an absolute path without symlinks; nothing is created: a
// missing directory or one without a schicht store is the user's mistake, named.
fs::path existing_store_root(const fs::path& root) {
  std::unique_ptr<char, decltype(&std::free)> resolved(::realpath(root.c_str(), nullptr),
                                                       &std::free);
  if (!resolved) {
    int error = errno;
    std::string reason = std::strerror(error);
    if (!reason.empty()) reason[0] = static_cast<char>(std::tolower(reason[0]));  // Go's wording
    fail(error == ENOENT ? ErrorKind::kNotFound : ErrorKind::kIo,
         fmt::format("additional image store {}: {}", root.string(), reason));
  }
  fs::path out(resolved.get());
  std::error_code ec;
  if (!fs::is_regular_file(out / "db.sqlite", ec) ||
      !fs::is_directory(out / "blobs" / "sha256", ec)) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("additional image store {}: not a schicht store (no db.sqlite or blobs)",
                     root.string()));
  }
  return out;
}

}  // namespace

Store::Store(fs::path root, ReadOnly)
    : root_(existing_store_root(root)), additional_(true), blobs_(root_) {
  db_ = std::make_unique<Db>((root_ / "db.sqlite").string(), DbMode::kReadOnly,
                             fmt::format("image is in a read-only store: {}", root_.string()));
  // A store of another schema cannot be read with this version's queries, and a reader never
  // migrates: its writer does, when a schicht of this version opens it as its --root.
  if (!schema_current(*db_)) {
    fail(ErrorKind::kUnsupported,
         fmt::format("additional image store {}: its database has another schema version (open "
                     "it once as --root with this version of schicht to migrate it)",
                     root_.string()));
  }
}

Store::Store(fs::path root, bool recovering) : root_(canonical_root(root)), blobs_(root_) {
  // Blobs without their database: an error, never an empty store (lost_database.h).
  if (!recovering) check_database_present(root_);
  std::string db_path = (root_ / "db.sqlite").string();
  if (std::string reason = unwritable_reason(root_); !reason.empty()) {
    db_ = std::make_unique<Db>(db_path, DbMode::kReadOnly, reason);
    if (!schema_current(*db_)) db_->require_writable();
    return;
  }
  balance_space_reserve(root_);
  db_ = std::make_unique<Db>(db_path);
  migrate(*db_);
  journal_ = std::make_unique<NamesJournal>(*db_, root_);
}

Store::~Store() = default;

namespace {

void insert_blob(Db& db, const Digest& digest, uint64_t size, std::string_view media_type) {
  Statement(db, "INSERT OR IGNORE INTO blobs(digest, size, media_type) VALUES (?, ?, ?)")
      .bind(1, digest.str())
      .bind(2, static_cast<int64_t>(size))
      .bind(3, media_type)
      .run();
}

// An image's rows, inside the caller's transaction.
void insert_image_rows(Db& db, const NewImage& image, const std::vector<std::string>& names,
                       std::string_view action) {
  uint64_t size = image.config_size + 2 * image.manifest_size;
  for (const auto& layer : image.layers) size += layer.uncompressed_size;
  int64_t now = now_ns();
  insert_blob(db, image.id, image.config_size, "config");
  insert_blob(db, image.manifest_digest, image.manifest_size, image.manifest_media_type);
  for (const auto& layer : image.layers) {
    insert_blob(db, layer.digest, layer.size, layer.media_type);
    Statement(db,
              "INSERT OR IGNORE INTO layers(digest, diff_id, uncompressed_size) VALUES (?, ?, ?)")
        .bind(1, layer.digest.str())
        .bind(2, layer.diff_id.str())
        .bind(3, static_cast<int64_t>(layer.uncompressed_size))
        .run();
  }
  Statement upsert(db,
                   "INSERT INTO images(id, manifest_digest, manifest_media_type, created, added, "
                   "last_used, size, os, architecture, variant, labels) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7, ?8, ?9, ?10) "
                   "ON CONFLICT(id) DO UPDATE SET manifest_digest = ?2, manifest_media_type = ?3, "
                   "last_used = ?5");
  upsert.bind(1, image.id.str())
      .bind(2, image.manifest_digest.str())
      .bind(3, image.manifest_media_type)
      .bind(4, image.created)
      .bind(5, now)
      .bind(6, static_cast<int64_t>(size))
      .bind(7, image.os)
      .bind(8, image.architecture)
      .bind(9, image.variant)
      .bind(10, image.labels_json)
      .run();
  Statement(db,
            "INSERT OR REPLACE INTO image_manifests(digest, image_id, media_type, added) "
            "VALUES (?, ?, ?, ?)")
      .bind(1, image.manifest_digest.str())
      .bind(2, image.id.str())
      .bind(3, image.manifest_media_type)
      .bind(4, now)
      .run();
  // The manifest's layers: GC follows image -> manifests -> layers, so every manifest an image
  // was ever stored with keeps its own layer blobs referenced.
  for (size_t i = 0; i < image.layers.size(); ++i) {
    Statement(db,
              "INSERT OR REPLACE INTO manifest_layers(manifest_digest, position, layer_digest) "
              "VALUES (?, ?, ?)")
        .bind(1, image.manifest_digest.str())
        .bind(2, static_cast<int64_t>(i))
        .bind(3, image.layers[i].digest.str())
        .run();
  }
  place_names_first(db, image.id, names, action, now);
}

}  // namespace

void Store::add_image(const NewImage& image, const std::vector<std::string>& names,
                      std::string_view action) {
  add_images({NamedImage{image, names}}, action);
}

void Store::add_images(const std::vector<NamedImage>& images, std::string_view action) {
  if (images.empty()) return;
  for (const NamedImage& named : images) {
    for (const auto& layer : named.image.layers) {
      if (!blobs_.exists(layer.digest)) {
        fail(ErrorKind::kInternal,
             fmt::format("layer {} is not in the blob store", layer.digest.str()));
      }
    }
  }
  Transaction txn(*db_);
  for (const NamedImage& named : images) insert_image_rows(*db_, named.image, named.names, action);
  kill_point("image-rows-before-commit");
  txn.commit();
  kill_point("image-rows-committed");
}

namespace {

constexpr std::string_view kImageColumns =
    "id, manifest_digest, manifest_media_type, created, added, last_used, size, os, "
    "architecture, variant, labels";

ImageInfo read_image_row(const Statement& st, bool details = true) {
  ImageInfo info{.id = Digest::parse(st.view(0)), .manifest_digest = Digest::parse(st.view(1))};
  info.created = st.integer(3);
  info.added = st.integer(4);
  info.last_used = st.integer(5);
  info.size = static_cast<uint64_t>(st.integer(6));
  if (details) {
    info.manifest_media_type = st.text(2);
    info.os = st.text(7);
    info.architecture = st.text(8);
    info.variant = st.text(9);
    info.labels_json = st.text(10);
  }
  return info;
}

}  // namespace

std::vector<ImageInfo> Store::images(ImageListing listing) {
  // Rows are read unordered and sorted here: none of the orders has an index, and SQLite's
  // sorter cost more than sorting integers (half the store time of `images` at 1,000 images).
  // The largest rowid bounds the row count (one b-tree descent): vectors of thousands of
  // images and names then never move their elements while growing.
  auto row_bound = [&](std::string_view table) {
    Statement max(*db_, fmt::format("SELECT max(rowid) FROM {}", table));
    return max.step() ? static_cast<size_t>(std::clamp<int64_t>(max.integer(0), 0, 1 << 20)) : 0;
  };
  std::vector<ImageInfo> out;
  out.reserve(row_bound("images"));
  const bool some = !listing.name_contains.empty();
  Statement st(*db_, fmt::format("SELECT {} FROM images {} ORDER BY rowid", kImageColumns,
                                 some ? "WHERE id IN (SELECT image_id FROM names "
                                        "WHERE instr(name, ?1) > 0)"
                                      : ""));
  if (some) st.bind(1, listing.name_contains);
  while (st.step()) out.push_back(read_image_row(st, listing.details));
  if (some && out.empty()) return out;
  // Image IDs are sha256 digests: eight of their hex digits are as good a hash as all 71 bytes.
  struct IdHash {
    size_t operator()(std::string_view id) const {
      uint64_t word = 0;
      std::memcpy(&word, id.data() + id.size() - std::min<size_t>(id.size(), 8),
                  std::min<size_t>(id.size(), 8));
      return std::hash<uint64_t>{}(word);
    }
  };
  std::unordered_map<std::string_view, size_t, IdHash> by_id;
  by_id.reserve(out.size());
  for (size_t i = 0; i < out.size(); ++i) by_id.emplace(out[i].id.str(), i);

  struct Row {
    int64_t added, rowid;
    size_t image;
    std::string value;
  };
  auto rows_by_time = [&](std::string_view table, std::string_view column) {
    std::vector<Row> rows;
    rows.reserve(row_bound(table));
    Statement query(*db_, fmt::format("SELECT image_id, {}, added, rowid FROM {}", column, table));
    while (query.step()) {
      if (auto it = by_id.find(query.view(0)); it != by_id.end()) {
        rows.push_back(Row{query.integer(2), query.integer(3), it->second, query.text(1)});
      }
    }
    // Rows come in rowid order, which is time order unless a name moved to another image:
    // usually nothing to sort (sorting 20,000 rows of strings was a sixth of `images -q`).
    auto earlier = [](const Row& a, const Row& b) {
      return a.added != b.added ? a.added < b.added : a.rowid < b.rowid;
    };
    if (!std::is_sorted(rows.begin(), rows.end(), earlier)) {
      std::sort(rows.begin(), rows.end(), earlier);
    }
    return rows;
  };
  if (listing.names) {
    for (auto& name : rows_by_time("names", "name")) {
      out[name.image].names.push_back(std::move(name.value));
    }
    for (auto& image : out) image.named = !image.names.empty();
  } else {
    // Only whether each image has a name: the names' index holds the image IDs in order, so
    // an image's second name is skipped without a lookup.
    Statement query(*db_, "SELECT image_id FROM names ORDER BY image_id");
    std::string last;
    while (query.step()) {
      std::string_view id = query.view(0);
      if (id == last) continue;
      last = id;
      if (auto it = by_id.find(id); it != by_id.end()) out[it->second].named = true;
    }
  }
  if (listing.digests) {
    auto digests = rows_by_time("image_manifests", "digest");
    for (auto it = digests.rbegin(); it != digests.rend(); ++it) {
      out[it->image].digests.push_back(Digest::parse(it->value));
    }
  }
  // Rows are added in time order, so this rarely moves anything; ties keep the rowid order.
  auto by_added = [](const ImageInfo& a, const ImageInfo& b) { return a.added < b.added; };
  if (!std::is_sorted(out.begin(), out.end(), by_added)) {
    std::stable_sort(out.begin(), out.end(), by_added);
  }
  return out;
}

std::optional<ImageInfo> Store::image(const Digest& id) {
  Statement st(*db_, fmt::format("SELECT {} FROM images WHERE id = ?", kImageColumns));
  st.bind(1, id.str());
  if (!st.step()) return std::nullopt;
  ImageInfo info = read_image_row(st);
  Statement names(*db_, "SELECT name FROM names WHERE image_id = ? ORDER BY added, rowid");
  names.bind(1, id.str());
  while (names.step()) info.names.push_back(names.text(0));
  info.named = !info.names.empty();
  Statement digests(*db_,
                    "SELECT digest FROM image_manifests WHERE image_id = ? ORDER BY added DESC");
  digests.bind(1, id.str());
  while (digests.step()) info.digests.push_back(Digest::parse(digests.text(0)));
  return info;
}

std::vector<LayerInfo> Store::layers(const Digest& id) {
  Statement st(*db_,
               "SELECT b.digest, b.size, b.media_type, l.diff_id, l.uncompressed_size "
               "FROM images i JOIN manifest_layers e ON e.manifest_digest = i.manifest_digest "
               "JOIN blobs b ON b.digest = e.layer_digest JOIN layers l ON l.digest = b.digest "
               "WHERE i.id = ? ORDER BY e.position");
  st.bind(1, id.str());
  std::vector<LayerInfo> out;
  while (st.step()) {
    out.push_back(LayerInfo{Digest::parse(st.text(0)), static_cast<uint64_t>(st.integer(1)),
                            st.text(2), Digest::parse(st.text(3)),
                            static_cast<uint64_t>(st.integer(4))});
  }
  return out;
}

std::optional<LayerInfo> Store::layer(const Digest& digest) {
  Statement st(*db_,
               "SELECT b.size, b.media_type, l.diff_id, l.uncompressed_size "
               "FROM layers l JOIN blobs b ON b.digest = l.digest WHERE l.digest = ?");
  st.bind(1, digest.str());
  if (!st.step()) return std::nullopt;
  return LayerInfo{digest, static_cast<uint64_t>(st.integer(0)), st.text(1),
                   Digest::parse(st.text(2)), static_cast<uint64_t>(st.integer(3))};
}

std::vector<Digest> Store::images_with_id_prefix(std::string_view hex_prefix) {
  Statement st(*db_, "SELECT id FROM images WHERE id >= ?1 AND id < ?1 || 'g'");
  st.bind(1, "sha256:" + std::string(hex_prefix));
  std::vector<Digest> out;
  while (st.step()) out.push_back(Digest::parse(st.text(0)));
  return out;
}

std::optional<Digest> Store::image_by_manifest(const Digest& manifest_digest) {
  Statement st(*db_, "SELECT image_id FROM image_manifests WHERE digest = ?");
  st.bind(1, manifest_digest.str());
  if (!st.step()) return std::nullopt;
  return Digest::parse(st.text(0));
}

std::optional<Digest> Store::image_by_name(const std::string& name) {
  Statement st(*db_, "SELECT image_id FROM names WHERE name = ?");
  st.bind(1, name);
  if (!st.step()) return std::nullopt;
  return Digest::parse(st.text(0));
}

void Store::touch(const Digest& id) {
  // Bookkeeping for prune's least-recently-used order: a read-only store reads without it.
  if (db_->read_only()) return;
  Statement(*db_, "UPDATE images SET last_used = ? WHERE id = ?")
      .bind(1, now_ns())
      .bind(2, id.str())
      .run();
}

}  // namespace schicht::store
