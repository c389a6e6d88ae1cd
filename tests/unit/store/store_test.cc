#include "store/store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"
#include "store/db.h"
#include "store/schema.h"
#include "store_test_util.h"

namespace schicht::store::test {
namespace {

int64_t query_int(Db& db, const std::string& sql) {
  Statement st(db, sql);
  EXPECT_TRUE(st.step()) << sql;
  return st.integer(0);
}

int64_t count_rows(Db& db, const std::string& table, const std::string& digest_column,
                   const Digest& digest) {
  Statement st(db, "SELECT count(*) FROM " + table + " WHERE " + digest_column + " = ?");
  st.bind(1, digest.str());
  EXPECT_TRUE(st.step());
  return st.integer(0);
}

bool contains(const std::vector<Digest>& digests, const Digest& d) {
  return std::find(digests.begin(), digests.end(), d) != digests.end();
}

TEST_F(StoreTest, OpenCreatesTheSchema) {
  EXPECT_EQ(query_int(store_.db(), "PRAGMA user_version"), latest_schema_version());
  for (std::string table : {"blobs", "layers", "images", "image_manifests", "manifest_layers",
                            "names", "tag_log", "leases", "lease_blobs", "lists", "list_names"}) {
    Statement st(store_.db(), "SELECT count(*) FROM sqlite_master WHERE type='table' AND name=?");
    st.bind(1, table);
    ASSERT_TRUE(st.step());
    EXPECT_EQ(st.integer(0), 1) << table;
  }
  EXPECT_TRUE(fs::is_regular_file(dir_.path() / "root" / "db.sqlite"));
  EXPECT_TRUE(fs::is_directory(dir_.path() / "root" / "blobs" / "sha256"));
  EXPECT_TRUE(store_.images().empty());
}

TEST_F(StoreTest, ASecondOpenOfTheSameRootWorks) {
  NewImage image = add("one", {put_layer("l1")}, {"localhost/one:latest"});
  {
    // While the first is open, as another process would.
    Store second(store_.root());
    EXPECT_EQ(query_int(second.db(), "PRAGMA user_version"), latest_schema_version());
    auto images = second.images();
    ASSERT_EQ(images.size(), 1u);
    EXPECT_EQ(images[0].id, image.id);
    // And it can write, too.
    second.tag(image.id, "localhost/one:2");
  }
  EXPECT_EQ(store_.image_by_name("localhost/one:2"), image.id);
  Store third(store_.root());
  EXPECT_EQ(query_int(third.db(), "PRAGMA user_version"), latest_schema_version());
  EXPECT_EQ(third.image(image.id)->names.size(), 2u);
}

TEST_F(StoreTest, AddImageRecordsWhatWasGiven) {
  LayerInfo l1 = put_layer("first layer");
  LayerInfo l2 = put_layer("second layer, longer");
  NewImage image = make_image("app", {l1, l2});
  image.variant = "v8";
  image.labels_json = R"({"a":"b"})";
  store_.add_image(image, {"localhost/app:latest", "localhost/app:1"}, "load");

  auto images = store_.images();
  ASSERT_EQ(images.size(), 1u);
  const ImageInfo& info = images[0];
  EXPECT_EQ(info.id, image.id);
  EXPECT_EQ(info.manifest_digest, image.manifest_digest);
  EXPECT_EQ(info.manifest_media_type, kManifestType);
  EXPECT_EQ(info.created, image.created);
  EXPECT_GT(info.added, 0);
  EXPECT_EQ(info.last_used, info.added);
  EXPECT_EQ(info.size, image.config_size + 2 * image.manifest_size + l1.uncompressed_size +
                           l2.uncompressed_size);
  EXPECT_EQ(info.os, "linux");
  EXPECT_EQ(info.architecture, "amd64");
  EXPECT_EQ(info.variant, "v8");
  EXPECT_EQ(info.labels_json, R"({"a":"b"})");
  EXPECT_EQ(info.names, (std::vector<std::string>{"localhost/app:latest", "localhost/app:1"}));
  EXPECT_EQ(info.digests, std::vector<Digest>{image.manifest_digest});

  auto one = store_.image(image.id);
  ASSERT_TRUE(one);
  EXPECT_EQ(one->id, info.id);
  EXPECT_EQ(one->size, info.size);
  EXPECT_EQ(one->names, info.names);
  EXPECT_EQ(one->digests, info.digests);
  EXPECT_EQ(one->labels_json, info.labels_json);

  auto layers = store_.layers(image.id);
  ASSERT_EQ(layers.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const LayerInfo& want = i == 0 ? l1 : l2;
    EXPECT_EQ(layers[i].digest, want.digest);
    EXPECT_EQ(layers[i].size, want.size);
    EXPECT_EQ(layers[i].media_type, want.media_type);
    EXPECT_EQ(layers[i].diff_id, want.diff_id);
    EXPECT_EQ(layers[i].uncompressed_size, want.uncompressed_size);
  }

  EXPECT_EQ(store_.image_by_name("localhost/app:1"), image.id);
  EXPECT_EQ(store_.image_by_name("localhost/app:2"), std::nullopt);
  EXPECT_EQ(store_.image(Digest::sha256_of("nothing")), std::nullopt);
  EXPECT_TRUE(store_.layers(Digest::sha256_of("nothing")).empty());

  // Adding records the names in the tag log with the given action.
  auto log = store_.tag_log({"localhost/app:1"});
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].action, "load");
  EXPECT_EQ(log[0].from, std::nullopt);
  EXPECT_EQ(log[0].to, image.id);
}

TEST_F(StoreTest, AddImageWithoutLayersOrNames) {
  NewImage image = add("scratch", {});
  auto info = store_.image(image.id);
  ASSERT_TRUE(info);
  EXPECT_TRUE(info->names.empty());
  EXPECT_EQ(info->size, image.config_size + 2 * image.manifest_size);
  EXPECT_TRUE(store_.layers(image.id).empty());
}

TEST_F(StoreTest, AddImageNeedsItsLayersInTheBlobStore) {
  LayerInfo missing{Digest::sha256_of("not stored"), 10, kLayerType, Digest::sha256_of("also not"),
                    20};
  NewImage image = make_image("broken", {put_layer("here"), missing});
  std::string message =
      error_of(ErrorKind::kInternal, [&] { store_.add_image(image, {"localhost/b:latest"}, "x"); });
  EXPECT_NE(message.find(missing.digest.str()), std::string::npos) << message;
  EXPECT_TRUE(store_.images().empty());
  EXPECT_EQ(store_.image_by_name("localhost/b:latest"), std::nullopt);
}

TEST_F(StoreTest, AddImagesListsThemInOrder) {
  NewImage a = add("a", {put_layer("la")}, {"localhost/a:latest"});
  NewImage b = add("b", {put_layer("lb")}, {"localhost/b:latest"});
  auto images = store_.images();
  ASSERT_EQ(images.size(), 2u);
  EXPECT_EQ(images[0].id, a.id);
  EXPECT_EQ(images[1].id, b.id);
  EXPECT_EQ(images[0].names, std::vector<std::string>{"localhost/a:latest"});
  EXPECT_EQ(images[1].names, std::vector<std::string>{"localhost/b:latest"});
}

TEST_F(StoreTest, AddedNamesGoFirstTagsGoLast) {
  LayerInfo layer = put_layer("names");
  NewImage image = make_image("names", {layer});
  store_.add_image(image, {"localhost/a:1"}, "load");
  store_.tag(image.id, "localhost/b:1");
  // podman's order: load and pull put their names first (AddNames), tag appends.
  store_.add_image(image, {"localhost/c:1", "localhost/a:1"}, "load");
  EXPECT_EQ(store_.image(image.id)->names,
            (std::vector<std::string>{"localhost/c:1", "localhost/a:1", "localhost/b:1"}));
  EXPECT_EQ(store_.images()[0].names, store_.image(image.id)->names);
}

TEST_F(StoreTest, AddingAnExistingImageAddsItsManifestAndNames) {
  LayerInfo layer = put_layer("layer");
  NewImage first = make_image("same", {layer});
  store_.add_image(first, {"localhost/x:1"}, "pull");
  // The same config reached through another manifest (e.g. another registry's copy).
  NewImage second = make_image("same", {layer}, R"(,"annotations":{"k":"v"})");
  ASSERT_EQ(second.id, first.id);
  ASSERT_NE(second.manifest_digest, first.manifest_digest);
  store_.add_image(second, {"localhost/x:2"}, "pull");

  auto images = store_.images();
  ASSERT_EQ(images.size(), 1u);
  EXPECT_EQ(images[0].manifest_digest, second.manifest_digest);
  // The second pull's name goes first, as containers/storage's AddNames puts it.
  EXPECT_EQ(images[0].names, (std::vector<std::string>{"localhost/x:2", "localhost/x:1"}));
  ASSERT_EQ(images[0].digests.size(), 2u);
  EXPECT_TRUE(contains(images[0].digests, first.manifest_digest));
  EXPECT_TRUE(contains(images[0].digests, second.manifest_digest));
  EXPECT_EQ(store_.image_by_manifest(first.manifest_digest), first.id);
  EXPECT_EQ(store_.image_by_manifest(second.manifest_digest), first.id);
}

TEST_F(StoreTest, ReaddingAnOlderManifestKeepsEveryManifestReferenced) {
  LayerInfo layer = put_layer("layer");
  NewImage m1 = make_image("same", {layer});
  NewImage m2 = make_image("same", {layer}, R"(,"annotations":{"k":"v"})");
  store_.add_image(m1, {}, "pull");
  store_.add_image(m2, {}, "pull");
  store_.add_image(m1, {}, "pull");  // pulled by the first manifest again
  ASSERT_EQ(store_.image(m1.id)->digests.size(), 2u);

  // Neither manifest is garbage while the image lists it.
  auto lease = store_.begin_lease();
  auto report = store_.discard_blobs(*lease, {m1.manifest_digest, m2.manifest_digest});
  EXPECT_TRUE(report.deleted_blobs.empty());
  EXPECT_TRUE(store_.blobs().exists(m1.manifest_digest));
  EXPECT_TRUE(store_.blobs().exists(m2.manifest_digest));
  lease.reset();

  // And removing the image deletes both.
  report = store_.remove_image(m1.id);
  EXPECT_TRUE(contains(report.deleted_blobs, m1.manifest_digest));
  EXPECT_TRUE(contains(report.deleted_blobs, m2.manifest_digest));
  EXPECT_FALSE(store_.blobs().exists(m1.manifest_digest));
  EXPECT_FALSE(store_.blobs().exists(m2.manifest_digest));
}

TEST_F(StoreTest, EachManifestKeepsItsOwnLayersReferenced) {
  // The same config pulled once with gzip layers and once recompressed: two manifests, two
  // sets of layer blobs, one image.
  LayerInfo gzip = put_layer("gzip form");
  LayerInfo zstd = put_layer("zstd form");
  zstd.diff_id = gzip.diff_id;
  NewImage first = make_image("same", {gzip});
  NewImage second = make_image("same", {zstd}, R"(,"annotations":{"c":"zstd"})");
  store_.add_image(first, {}, "pull");
  store_.add_image(second, {}, "pull");

  auto lease = store_.begin_lease();
  auto report = store_.discard_blobs(*lease, {gzip.digest, zstd.digest});
  EXPECT_TRUE(report.deleted_blobs.empty());
  lease.reset();
  // The image's layers are those of its newest manifest.
  ASSERT_EQ(store_.layers(first.id).size(), 1u);
  EXPECT_EQ(store_.layers(first.id)[0].digest, zstd.digest);

  report = store_.remove_image(first.id);
  EXPECT_TRUE(contains(report.deleted_blobs, gzip.digest));
  EXPECT_TRUE(contains(report.deleted_blobs, zstd.digest));
  EXPECT_FALSE(store_.blobs().exists(gzip.digest));
  EXPECT_FALSE(store_.blobs().exists(zstd.digest));
}

TEST_F(StoreTest, TagMovesANameAndLogsEachMove) {
  NewImage a = add("a", {put_layer("la")}, {"localhost/app:latest"});
  NewImage b = add("b", {put_layer("lb")});
  store_.tag(b.id, "localhost/app:latest");

  EXPECT_EQ(store_.image_by_name("localhost/app:latest"), b.id);
  EXPECT_TRUE(store_.image(a.id)->names.empty());
  EXPECT_EQ(store_.image(b.id)->names, std::vector<std::string>{"localhost/app:latest"});

  auto log = store_.tag_log({"localhost/app:latest"});  // newest first
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].name, "localhost/app:latest");
  EXPECT_EQ(log[0].action, "tag");
  EXPECT_EQ(log[0].from, a.id);
  EXPECT_EQ(log[0].to, b.id);
  EXPECT_EQ(log[1].action, "pull");
  EXPECT_EQ(log[1].from, std::nullopt);
  EXPECT_EQ(log[1].to, a.id);
  EXPECT_GE(log[0].time, log[1].time);
  EXPECT_GT(log[1].time, 0);

  // And back again, with a custom action.
  store_.tag(a.id, "localhost/app:latest", "load");
  log = store_.tag_log({"localhost/app:latest"});
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0].action, "load");
  EXPECT_EQ(log[0].from, b.id);
  EXPECT_EQ(log[0].to, a.id);
  EXPECT_EQ(store_.image_by_name("localhost/app:latest"), a.id);
}

TEST_F(StoreTest, TaggingWhereTheNameAlreadyPointsIsANoOp) {
  NewImage a = add("a", {}, {"localhost/app:latest"});
  store_.tag(a.id, "localhost/app:latest");
  EXPECT_EQ(store_.tag_log({"localhost/app:latest"}).size(), 1u);
  EXPECT_EQ(store_.image(a.id)->names, std::vector<std::string>{"localhost/app:latest"});
}

TEST_F(StoreTest, TagLogFiltersByName) {
  NewImage a = add("a", {}, {"localhost/a:latest"});
  store_.tag(a.id, "localhost/a:2");
  EXPECT_EQ(store_.tag_log({}).size(), 2u);
  auto only = store_.tag_log({"localhost/a:2"});
  ASSERT_EQ(only.size(), 1u);
  EXPECT_EQ(only[0].name, "localhost/a:2");
  EXPECT_TRUE(store_.tag_log({"localhost/none:latest"}).empty());
}

TEST_F(StoreTest, TaggingAnUnknownImageFails) {
  EXPECT_THROW(store_.tag(Digest::sha256_of("no such image"), "localhost/x:latest"), Error);
  EXPECT_EQ(store_.image_by_name("localhost/x:latest"), std::nullopt);
  EXPECT_TRUE(store_.tag_log({}).empty());
}

TEST_F(StoreTest, Untag) {
  NewImage a = add("a", {}, {"localhost/a:latest", "localhost/a:2"});
  EXPECT_FALSE(store_.untag("localhost/unknown:latest"));
  EXPECT_TRUE(store_.tag_log({"localhost/unknown:latest"}).empty());

  EXPECT_TRUE(store_.untag("localhost/a:2"));
  EXPECT_EQ(store_.image(a.id)->names, std::vector<std::string>{"localhost/a:latest"});
  auto log = store_.tag_log({"localhost/a:2"});
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].action, "untag");
  EXPECT_EQ(log[0].from, a.id);
  EXPECT_EQ(log[0].to, std::nullopt);
  EXPECT_FALSE(store_.untag("localhost/a:2"));  // only once
  EXPECT_TRUE(store_.image(a.id));              // the image stays
}

TEST_F(StoreTest, RemoveImageKeepsSharedBlobs) {
  LayerInfo shared = put_layer(std::string(20000, 's'));
  LayerInfo only_a = put_layer(std::string(30000, 'a'));
  LayerInfo only_b = put_layer(std::string(30000, 'b'));
  NewImage a = add("a", {shared, only_a}, {"localhost/a:latest", "localhost/a:1"});
  NewImage b = add("b", {shared, only_b}, {"localhost/b:latest"});

  RemovalReport report = store_.remove_image(a.id);
  EXPECT_EQ(report.untagged, (std::vector<std::string>{"localhost/a:latest", "localhost/a:1"}));
  EXPECT_GT(report.freed_bytes, 0u);
  std::set<Digest> deleted(report.deleted_blobs.begin(), report.deleted_blobs.end());
  EXPECT_EQ(deleted, (std::set<Digest>{a.id, a.manifest_digest, only_a.digest}));

  EXPECT_FALSE(store_.image(a.id));
  EXPECT_EQ(store_.image_by_name("localhost/a:latest"), std::nullopt);
  EXPECT_EQ(store_.image_by_manifest(a.manifest_digest), std::nullopt);
  EXPECT_EQ(count_rows(store_.db(), "manifest_layers", "manifest_digest", a.manifest_digest), 0);
  EXPECT_EQ(count_rows(store_.db(), "image_manifests", "image_id", a.id), 0);
  EXPECT_EQ(count_rows(store_.db(), "blobs", "digest", only_a.digest), 0);
  EXPECT_EQ(count_rows(store_.db(), "layers", "digest", only_a.digest), 0);
  EXPECT_EQ(count_rows(store_.db(), "blobs", "digest", shared.digest), 1);
  EXPECT_EQ(count_rows(store_.db(), "layers", "digest", shared.digest), 1);
  EXPECT_FALSE(store_.blobs().exists(a.id));
  EXPECT_FALSE(store_.blobs().exists(a.manifest_digest));
  EXPECT_FALSE(store_.blobs().exists(only_a.digest));
  EXPECT_TRUE(store_.blobs().exists(shared.digest));
  EXPECT_TRUE(store_.blobs().exists(only_b.digest));

  // The removal is in the tag log.
  auto log = store_.tag_log({"localhost/a:1"});
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(log[0].action, "rmi");
  EXPECT_EQ(log[0].from, a.id);
  EXPECT_EQ(log[0].to, std::nullopt);

  // B is intact.
  ASSERT_EQ(store_.layers(b.id).size(), 2u);
  EXPECT_EQ(store_.layers(b.id)[0].digest, shared.digest);

  report = store_.remove_image(b.id);
  EXPECT_GT(report.freed_bytes, 0u);
  deleted = std::set<Digest>(report.deleted_blobs.begin(), report.deleted_blobs.end());
  EXPECT_EQ(deleted, (std::set<Digest>{b.id, b.manifest_digest, shared.digest, only_b.digest}));
  EXPECT_FALSE(store_.blobs().exists(shared.digest));
  EXPECT_FALSE(store_.blobs().exists(only_b.digest));
  EXPECT_TRUE(store_.images().empty());
  EXPECT_EQ(query_int(store_.db(), "SELECT count(*) FROM blobs"), 0);
  EXPECT_EQ(query_int(store_.db(), "SELECT count(*) FROM layers"), 0);
  EXPECT_EQ(query_int(store_.db(), "SELECT count(*) FROM manifest_layers"), 0);
  size_t files = 0;
  store_.blobs().walk([&](const Digest&, uint64_t) { ++files; });
  EXPECT_EQ(files, 0u);
}

TEST_F(StoreTest, RemovingAnUnknownImageDoesNothing) {
  NewImage a = add("a", {put_layer("la")}, {"localhost/a:latest"});
  RemovalReport report = store_.remove_image(Digest::sha256_of("unknown"));
  EXPECT_TRUE(report.untagged.empty());
  EXPECT_TRUE(report.deleted_blobs.empty());
  EXPECT_EQ(report.freed_bytes, 0u);
  EXPECT_TRUE(store_.image(a.id));
}

TEST_F(StoreTest, ALiveLeaseKeepsABlobFromRemoval) {
  LayerInfo layer = put_layer(std::string(50000, 'l'));
  NewImage a = add("a", {layer}, {"localhost/a:latest"});

  auto lease = store_.begin_lease();
  // An in-flight pull that wants the same layer finds it present and protects it.
  EXPECT_TRUE(lease->protect(layer.digest));
  EXPECT_FALSE(lease->protect(Digest::sha256_of("not yet written")));
  EXPECT_EQ(live_leased_blobs(store_.db()).count(layer.digest.str()), 1u);

  RemovalReport report = store_.remove_image(a.id);
  EXPECT_FALSE(contains(report.deleted_blobs, layer.digest));
  EXPECT_TRUE(contains(report.deleted_blobs, a.id));
  EXPECT_TRUE(store_.blobs().exists(layer.digest));
  EXPECT_EQ(count_rows(store_.db(), "blobs", "digest", layer.digest), 1);

  // The pull completes: its image uses the layer, which stays referenced after the lease.
  NewImage b = make_image("b", {layer});
  store_.add_image(b, {"localhost/b:latest"}, "pull");
  lease.reset();
  EXPECT_TRUE(live_leased_blobs(store_.db()).empty());
  EXPECT_EQ(query_int(store_.db(), "SELECT count(*) FROM leases"), 0);
  EXPECT_EQ(query_int(store_.db(), "SELECT count(*) FROM lease_blobs"), 0);
  EXPECT_TRUE(store_.blobs().exists(layer.digest));

  // Without the lease the blob can go.
  report = store_.remove_image(b.id);
  EXPECT_TRUE(contains(report.deleted_blobs, layer.digest));
  EXPECT_FALSE(store_.blobs().exists(layer.digest));
}

TEST_F(StoreTest, ALeaseOfAnotherConnectionProtectsToo) {
  LayerInfo layer = put_layer("leased elsewhere");
  NewImage a = add("a", {layer});
  {
    Store other(store_.root());
    auto lease = other.begin_lease();
    lease->protect(layer.digest);
    store_.remove_image(a.id);
    EXPECT_TRUE(store_.blobs().exists(layer.digest));
  }
  // Once the other lease is gone, a rollback by anyone deletes the orphan.
  auto lease = store_.begin_lease();
  RemovalReport report = store_.discard_blobs(*lease, {layer.digest});
  EXPECT_EQ(report.deleted_blobs, std::vector<Digest>{layer.digest});
  EXPECT_FALSE(store_.blobs().exists(layer.digest));
  EXPECT_EQ(count_rows(store_.db(), "blobs", "digest", layer.digest), 0);
}

TEST_F(StoreTest, ReleaseEndsProtection) {
  LayerInfo layer = put_layer("released");
  NewImage a = add("a", {layer});
  auto lease = store_.begin_lease();
  lease->protect(layer.digest);
  lease->release(layer.digest);
  EXPECT_TRUE(live_leased_blobs(store_.db()).empty());
  store_.remove_image(a.id);
  EXPECT_FALSE(store_.blobs().exists(layer.digest));
}

TEST_F(StoreTest, DeadLeasesProtectNothing) {
  LayerInfo layer = put_layer("dead lease");
  NewImage a = add("a", {layer});
  auto lease = store_.begin_lease();
  lease->protect(layer.digest);
  // A lease whose owner's boot is over, and one that expired.
  store_.db().exec("UPDATE leases SET boot_id = 'another-boot'");
  EXPECT_TRUE(live_leased_blobs(store_.db()).empty());
  store_.db().exec("UPDATE leases SET boot_id = '" + boot_id() + "', expires = 1");
  EXPECT_TRUE(live_leased_blobs(store_.db()).empty());
  store_.remove_image(a.id);
  EXPECT_FALSE(store_.blobs().exists(layer.digest));
}

TEST_F(StoreTest, LeasesOfAnotherPidNamespaceLiveUntilTheyExpire) {
  LayerInfo layer = put_layer("leased from a container");
  NewImage a = add("a", {layer});
  auto lease = store_.begin_lease();
  lease->protect(layer.digest);
  // A pid that runs nowhere: dead in our namespace, unknowable in another one.
  store_.db().exec("UPDATE leases SET pid = 2147483647");
  EXPECT_TRUE(live_leased_blobs(store_.db()).empty());
  store_.db().exec("UPDATE leases SET boot_id = '" + boot_id() + " pid:[1]'");
  EXPECT_EQ(live_leased_blobs(store_.db()).size(), 1U);
  store_.remove_image(a.id);
  EXPECT_TRUE(store_.blobs().exists(layer.digest));
  // Expired, it protects nothing; nor does a boot id alone (rows of older versions) for a dead pid.
  store_.db().exec("UPDATE leases SET expires = 1");
  EXPECT_TRUE(live_leased_blobs(store_.db()).empty());
  store_.db().exec("UPDATE leases SET boot_id = '" + boot_id() +
                   "', expires = " + std::to_string(now_ns() + 1'000'000'000));
  EXPECT_TRUE(live_leased_blobs(store_.db()).empty());
}

TEST_F(StoreTest, DiscardBlobsKeepsReferencedBlobs) {
  LayerInfo shared = put_layer("used by an image");
  NewImage a = add("a", {shared}, {"localhost/a:latest"});

  // A failed pull wrote a new layer and reused the shared one.
  auto lease = store_.begin_lease();
  EXPECT_TRUE(lease->protect(shared.digest));
  Digest fresh = Digest::sha256_of(std::string(9000, 'f'));
  EXPECT_FALSE(lease->protect(fresh));
  store_.blobs().put(std::string(9000, 'f'));
  // Another write in flight protects a blob of its own.
  auto other = store_.begin_lease();
  Digest theirs = store_.blobs().put("their layer");
  other->protect(theirs);
  lease->protect(theirs);

  RemovalReport report = store_.discard_blobs(*lease, {shared.digest, fresh, theirs});
  EXPECT_EQ(report.deleted_blobs, std::vector<Digest>{fresh});
  EXPECT_GT(report.freed_bytes, 0u);
  EXPECT_FALSE(store_.blobs().exists(fresh));
  EXPECT_TRUE(store_.blobs().exists(shared.digest));
  EXPECT_TRUE(store_.blobs().exists(theirs));
  EXPECT_EQ(store_.layers(a.id).size(), 1u);
  // The discarding lease no longer protects what it discarded; the other still does.
  auto leased = live_leased_blobs(store_.db());
  EXPECT_EQ(leased, std::set<std::string>{theirs.str()});
}

TEST_F(StoreTest, ImagesWithIdPrefix) {
  NewImage a = add("a", {});
  NewImage b = add("b", {});
  std::string ha(a.id.hex()), hb(b.id.hex());

  EXPECT_EQ(store_.images_with_id_prefix(ha), std::vector<Digest>{a.id});
  EXPECT_EQ(store_.images_with_id_prefix(ha.substr(0, 12)), std::vector<Digest>{a.id});
  EXPECT_EQ(store_.images_with_id_prefix(hb.substr(0, 12)), std::vector<Digest>{b.id});
  // The empty prefix matches everything.
  EXPECT_EQ(store_.images_with_id_prefix("").size(), 2u);
  // A manifest digest is no image ID.
  EXPECT_TRUE(store_.images_with_id_prefix(std::string(a.manifest_digest.hex())).empty());

  // A hex digit no ID starts with, and each image's own first digit.
  std::string digits = "0123456789abcdef";
  for (char c : digits) {
    auto found = store_.images_with_id_prefix(std::string(1, c));
    size_t expected = (ha[0] == c ? 1 : 0) + (hb[0] == c ? 1 : 0);
    EXPECT_EQ(found.size(), expected) << c;
  }
}

TEST_F(StoreTest, ImageByManifest) {
  NewImage a = add("a", {put_layer("la")});
  NewImage b = add("b", {put_layer("lb")});
  EXPECT_EQ(store_.image_by_manifest(a.manifest_digest), a.id);
  EXPECT_EQ(store_.image_by_manifest(b.manifest_digest), b.id);
  EXPECT_EQ(store_.image_by_manifest(a.id), std::nullopt);  // a config is no manifest
  EXPECT_EQ(store_.image_by_manifest(Digest::sha256_of("nope")), std::nullopt);
}

TEST_F(StoreTest, TouchUpdatesLastUsed) {
  NewImage a = add("a", {});
  int64_t before = store_.image(a.id)->last_used;
  store_.touch(a.id);
  int64_t after = store_.image(a.id)->last_used;
  EXPECT_GE(after, before);
  EXPECT_EQ(store_.image(a.id)->added, before);
}

TEST_F(StoreTest, AFailedTransactionRollsBack) {
  NewImage a = add("a", {}, {"localhost/a:latest"});
  {
    Transaction txn(store_.db());
    store_.db().exec("DELETE FROM names");
  }  // not committed
  EXPECT_EQ(store_.image_by_name("localhost/a:latest"), a.id);
}

}  // namespace
}  // namespace schicht::store::test
