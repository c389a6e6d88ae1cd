// The local image store: blobs (content/) plus their metadata in SQLite.
//
// Rules everything here keeps:
// - Blobs are written and made durable before the rows that reference them (add_image);
//   rows are deleted before the blobs they referenced (remove_image). A crash leaves at most
//   unreferenced blobs, which `system check --repair` removes.
// - Every change touching several rows is one IMMEDIATE transaction; no fsync and no network
//   inside one.
// - Lock order: <root>/gc.lock (flock) first, then the SQLite write lock. Deleters hold gc.lock
//   exclusive from their transaction until their files are unlinked; writers hold it shared
//   only while checking whether a blob they leased already exists (Lease::protect).
//
// A Store is used by one thread at a time; many processes may open the same root at once.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "content/blob_store.h"
#include "core/digest.h"
#include "core/fs.h"

namespace schicht::store {

class Db;
class NamesJournal;

struct LayerInfo {
  Digest digest;  // of the blob as stored (maybe compressed)
  uint64_t size;
  std::string media_type;
  Digest diff_id;
  uint64_t uncompressed_size;
};

// What Store::images() reads besides each image's IDs, times, size and names. A listing of
// thousands of images that shows neither skips their rows and strings.
struct ImageListing {
  bool digests = true;  // ImageInfo::digests
  bool details = true;  // manifest_media_type, os, architecture, variant, labels_json
  // ImageInfo::names; without them only ImageInfo::named is set (whether an image has any name:
  // what the dangling and intermediate filters ask), from the names' index alone.
  bool names = true;
  // Not empty: only images with a name containing this text (a filter's cheap first cut, done
  // by SQLite, so the rows of other images are never built).
  std::string name_contains;
};

struct ImageInfo {
  Digest id;  // config digest
  Digest manifest_digest;
  std::string manifest_media_type;
  int64_t created = 0;  // unix ns, from the config (0 when absent)
  int64_t added = 0;
  int64_t last_used = 0;
  uint64_t size = 0;  // as podman counts it: layers uncompressed + config + manifest twice
  std::string os{}, architecture{}, variant{};
  std::string labels_json = "{}";
  std::vector<std::string> names{};  // oldest first
  // Whether the image has a name: set by Store::images() even when it did not read the names.
  // Ask has_names(), which also holds for an ImageInfo built with names but no flag.
  bool named = false;
  std::vector<Digest> digests{};  // every manifest digest of the image, newest first
  // Listed from an additional, read-only image store (Store::additional); set by the caller
  // that merges stores, the store itself does not know it is one of several.
  bool read_only = false;
};

inline bool has_names(const ImageInfo& image) {
  return image.named || !image.names.empty();
}

// An image with its names (oldest first) and what its layers' chain IDs are made of: their
// diffIDs and uncompressed sizes, base first.
struct ImageChain {
  Digest id;
  std::vector<std::string> names;
  std::vector<Digest> diff_ids;
  std::vector<uint64_t> sizes;
};

// What a transport hands over once every blob of an image is durable in the blob store.
struct NewImage {
  Digest id;
  uint64_t config_size = 0;
  Digest manifest_digest;
  std::string manifest_media_type;
  uint64_t manifest_size = 0;
  int64_t created = 0;
  std::string os, architecture, variant;
  std::string labels_json = "{}";
  std::vector<LayerInfo> layers;
};

// An image for Store::add_images and its names.
struct NamedImage {
  const NewImage& image;
  const std::vector<std::string>& names;
};

struct TagLogEntry {
  int64_t time;
  std::string name, action;
  std::optional<Digest> from, to;
};

struct ContainerInfo {
  std::string id;  // 64 hex
  std::string name;
  Digest image_id;
  std::string image_name;  // what the user named the image with, normalized
  std::vector<std::string> command;
  int64_t created = 0;
  Digest chain_id;    // the image's top snapshot the root was made from
  uint64_t size = 0;  // bytes the container's root filesystem occupies
};

struct RemovalReport {
  std::vector<std::string> untagged;
  uint64_t freed_bytes = 0;  // on disk
  std::vector<Digest> deleted_blobs;
};

class Lease;

class Store {
 public:
  // Opens (creating when missing) the store at `root`. kIntegrity when blobs exist but the
  // database is missing, empty or not a database (lost_database.h), unless `recovering`.
  explicit Store(fs::path root, bool recovering = false);
  // Opens another schicht store read-only, as an additional image store (an NFS export, a
  // read-only bind mount, a store a writer keeps updating): nothing is created or changed under
  // `root`, every write fails with kReadOnly ("image is in a read-only store"), and each query
  // sees what the store's writer last committed (SQLite's WAL read-only). kNotFound when `root`
  // does not exist; kInvalidInput when it is no schicht store (no db.sqlite or blobs/sha256).
  struct ReadOnly {};
  Store(fs::path root, ReadOnly);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const fs::path& root() const { return root_; }
  // Opened with Store(root, ReadOnly{}): an additional image store, never written.
  bool additional() const { return additional_; }
  const BlobStore& blobs() const { return blobs_; }
  Db& db() { return *db_; }

  // A lease protects the blobs an in-flight write creates from concurrent removal.
  std::unique_ptr<Lease> begin_lease();

  // Records an image whose blobs are all durable and assigns `names` to it (moving each from
  // the image that had it). Adding an image that exists adds its manifest digest and names.
  void add_image(const NewImage& image, const std::vector<std::string>& names,
                 std::string_view action);
  // The same for several images, in order, as one transaction: all are recorded or none (a
  // load's archive), with one commit instead of one for each.
  void add_images(const std::vector<NamedImage>& images, std::string_view action);

  std::vector<ImageInfo> images(ImageListing listing = {});
  std::optional<ImageInfo> image(const Digest& id);
  std::vector<LayerInfo> layers(const Digest& id);
  // The images whose base (first) layer has diffID `base_diff_id`, oldest first as images()
  // orders them: every image that can share a layer with an image on that base, since a
  // layer's chain ID covers the layers below it. Index lookups only, so the cost follows these
  // images and not the size of the store (image_chains.cc).
  std::vector<ImageChain> image_chains_on_base(const Digest& base_diff_id);
  // A layer blob some image recorded (with its diffID), by blob digest; nullopt when none did.
  std::optional<LayerInfo> layer(const Digest& digest);
  // Images whose ID (config digest) hex starts with `hex_prefix`, as podman matches short IDs.
  std::vector<Digest> images_with_id_prefix(std::string_view hex_prefix);
  std::optional<Digest> image_by_manifest(const Digest& manifest_digest);
  std::optional<Digest> image_by_name(const std::string& name);

  // Points `name` at `id`, recording the move; a no-op when it already does.
  void tag(const Digest& id, const std::string& name, std::string_view action = "tag");
  // Removes `name`; false when no image has it.
  bool untag(const std::string& name, std::string_view action = "untag");
  std::vector<TagLogEntry> tag_log(const std::vector<std::string>& names);
  // Every name each image has had, newest first (podman's NamesHistory), by image ID.
  std::map<std::string, std::vector<std::string>> names_history();
  // The same for one image, through the tag log's index by image.
  std::vector<std::string> names_history(const Digest& id);

  // Deletes the image's rows and names, then the blobs no other image or lease references.
  // kInUse (podman's message) while a container uses the image.
  RemovalReport remove_image(const Digest& id);

  // Containers: rows only; their root filesystems live under <root>/containers/<id>.
  void add_container(const ContainerInfo& container);
  std::vector<ContainerInfo> containers();
  // By full or short ID, or by name.
  std::optional<ContainerInfo> find_container(std::string_view id_or_name);
  void remove_container(const std::string& id);
  fs::path container_dir(const std::string& id) const { return root_ / "containers" / id; }
  // Removes blobs this lease wrote that nothing ended up referencing (a failed or partial
  // write rolling back); blobs another image or a live lease uses stay.
  RemovalReport discard_blobs(Lease& lease, const std::vector<Digest>& digests);
  // Removes the candidate blobs (rows and files) that no image or list references, no live lease
  // protects: crash leftovers, found by `system check`.
  RemovalReport collect_garbage(const std::vector<Digest>& candidates);
  // For maintenance that must decide and delete at once (`system check --repair`): runs
  // `decide` with gc.lock held exclusively, inside one write transaction, so no deleter runs
  // beside it, no writer commits rows meanwhile and every blob file a live write has renamed
  // into place is covered by a lease row `decide` sees. `decide` may drop images
  // (drop_image_rows) and returns candidate blobs; those no image, list or live lease
  // references then go, rows first, files after the commit (still under gc.lock).
  RemovalReport remove_exclusively(
      const std::function<std::vector<std::string>(Db&, RemovalReport&)>& decide);
  // Records that `id` was used now (pull, load, tag, push, save, container create); nothing on
  // a read-only store.
  void touch(const Digest& id);

 private:
  fs::path root_;
  bool additional_ = false;
  BlobStore blobs_;
  std::unique_ptr<NamesJournal> journal_;  // declared before db_: outlives the connection
  std::unique_ptr<Db> db_;
};

// Held by an in-flight write. Blobs it protects are never removed while it lives; a lease of a
// process that died, or that expired, is dead and ignored (and cleaned by `system check`).
class Lease {
 public:
  Lease(Store& store, int64_t id) : store_(store), id_(id) {}
  ~Lease();
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;

  // Protects `digest` from now on; returns whether the blob already exists in the store
  // (so the caller can skip writing it).
  bool protect(const Digest& digest);
  void release(const Digest& digest);

 private:
  Store& store_;
  int64_t id_;
};

// A lease is live while its owner process runs (same boot) and it has not expired. `owner` is
// what lease_owner() gave the owner: its boot id and pid namespace. A pid from another pid
// namespace (a container sharing the store) cannot be checked from here, so such a lease lives
// until it expires: an unknown owner is never taken for a dead one.
bool lease_is_live(int64_t pid, const std::string& owner, int64_t expires, int64_t now);
// Digests protected by leases whose owner is alive and which have not expired.
std::set<std::string> live_leased_blobs(Db& db);
// Whether a row references the blob or `leased` (from live_leased_blobs) protects it.
bool blob_in_use(Db& db, const std::string& digest, const std::set<std::string>& leased);
// Inside a write transaction with gc.lock held: drops the image's names (tag log rows `rmi`,
// pulled lists named like them) and rows, adding the blobs it referenced to `candidates`.
// false when the image does not exist (its names still go); kInUse while a container uses it.
bool drop_image_rows(Db& db, const Digest& id, RemovalReport& report,
                     std::vector<std::string>& candidates);

int64_t now_ns();
std::string boot_id();
// This process's boot id and pid namespace ("BOOT pid:[INODE]"), as leases record their owner.
std::string lease_owner();

}  // namespace schicht::store
