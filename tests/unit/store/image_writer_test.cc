#include "store/image_writer.h"

#include <gtest/gtest.h>

#include <string>

#include "core/error.h"
#include "store/db.h"
#include "store_test_util.h"

namespace schicht::store::test {
namespace {

// An empty tar: its two end blocks. Its diffID is the digest of these bytes.
std::string empty_tar() {
  return std::string(1024, '\0');
}

TEST_F(StoreTest, AWriterVerifiesWhatItStores) {
  ImageWriter writer(store_);
  Digest wanted = Digest::sha256_of("the bytes");
  EXPECT_EQ(writer.put("the bytes", wanted, "blob"), wanted);
  EXPECT_TRUE(store_.blobs().exists(wanted));
  std::string message = error_of(ErrorKind::kIntegrity, [&] {
    writer.put("other bytes", Digest::sha256_of("expected"), "config");
  });
  EXPECT_NE(message.find("Digest did not match"), std::string::npos) << message;
  EXPECT_FALSE(store_.blobs().exists(Digest::sha256_of("other bytes")));
  StringReader short_blob("abc");
  error_of(ErrorKind::kIntegrity,
           [&] { writer.put_blob(short_blob, std::nullopt, 4, "blob sha256:…"); });
  EXPECT_FALSE(store_.blobs().exists(Digest::sha256_of("abc")));
}

TEST_F(StoreTest, AWriterDestroyedWithoutCommitRemovesWhatItCreated) {
  Digest kept = store_.blobs().put("already there");
  Digest made = Digest::sha256_of("new bytes");
  {
    ImageWriter writer(store_);
    EXPECT_TRUE(writer.protect(kept));
    EXPECT_EQ(writer.put("new bytes"), made);
    EXPECT_EQ(writer.created(), std::vector<Digest>{made});
  }
  EXPECT_FALSE(store_.blobs().exists(made));
  EXPECT_TRUE(store_.blobs().exists(kept));  // not the writer's to remove
}

TEST_F(StoreTest, AWriterComputesDiffIdsWhileStoringALayer) {
  ImageWriter writer(store_);
  std::string tar = empty_tar();
  StringReader reader(tar);
  LayerDigests layer = writer.put_layer(reader, Digest::sha256_of(tar), tar.size(), "layer");
  EXPECT_EQ(layer.digest, Digest::sha256_of(tar));
  EXPECT_EQ(layer.diff_id, Digest::sha256_of(tar));
  EXPECT_EQ(layer.uncompressed_size, tar.size());
  EXPECT_TRUE(store_.blobs().exists(layer.digest));
  LayerDigests again = writer.stored_layer(layer.digest);
  EXPECT_EQ(again.diff_id, layer.diff_id);
  // Bytes that are no layer and not the expected blob: the mismatch is the error.
  StringReader garbage("not a layer at all");
  std::string message = error_of(ErrorKind::kIntegrity, [&] {
    writer.put_layer(garbage, Digest::sha256_of("x"), std::nullopt, "layer sha256:x");
  });
  EXPECT_NE(message.find("Digest did not match"), std::string::npos) << message;
}

TEST_F(StoreTest, ACommittedImageKeepsItsBlobsAndFinishDropsStrays) {
  Digest stray = Digest::sha256_of("an entry no image uses");
  LayerInfo layer = put_layer("layer one");
  NewImage image = make_image("seed", {layer});
  {
    ImageWriter writer(store_);
    writer.adopt(layer.digest);
    writer.adopt(image.id);
    writer.adopt(image.manifest_digest);
    EXPECT_EQ(writer.put("an entry no image uses"), stray);
    writer.record(image, {"localhost/a:1"}, "load");
    writer.finish();
  }
  EXPECT_FALSE(store_.blobs().exists(stray));
  EXPECT_TRUE(store_.blobs().exists(image.id));
  EXPECT_TRUE(store_.blobs().exists(image.layers[0].digest));
  EXPECT_EQ(store_.image_by_name("localhost/a:1"), image.id);
}

TEST_F(StoreTest, GroupedCommitsHoldBlobsBackUntilTheRowsAndRollBackWithoutATrace) {
  auto ingest_files = [&] {
    size_t n = 0;
    for (const auto& entry : fs::directory_iterator(store_.blobs().ingest_dir())) {
      (void)entry;
      ++n;
    }
    return n;
  };
  Digest first = Digest::sha256_of("held one");
  {
    ImageWriter writer(store_);
    writer.group_commits();
    EXPECT_EQ(writer.put("held one"), first);
    EXPECT_EQ(writer.put("held one"), first);  // the same blob twice is held once
    EXPECT_FALSE(store_.blobs().exists(first));
    EXPECT_EQ(writer.read_blob(first, 100), "held one");
    EXPECT_NE(error_of(ErrorKind::kInvalidInput, [&] { writer.read_blob(first, 3); }), "");
    EXPECT_EQ(ingest_files(), 1U);
  }  // never committed: nothing stays, not even a temp file
  EXPECT_FALSE(store_.blobs().exists(first));
  EXPECT_EQ(ingest_files(), 0U);
  // A full group is committed at once; the rest before the rows.
  LayerInfo layer = put_layer("layer one");
  NewImage image = make_image("grouped", {layer});
  ImageWriter writer(store_);
  writer.group_commits();
  writer.adopt(layer.digest);
  writer.adopt(image.id);
  writer.adopt(image.manifest_digest);
  std::vector<Digest> made;
  for (size_t i = 0; i <= ImageWriter::kCommitGroup; ++i) {
    made.push_back(writer.put("blob " + std::to_string(i)));
  }
  EXPECT_TRUE(store_.blobs().exists(made.front()));
  EXPECT_FALSE(store_.blobs().exists(made.back()));
  EXPECT_EQ(writer.read_blob(made.front(), 100), "blob 0");
  writer.record(image, {"localhost/g:1"}, "load");
  EXPECT_TRUE(store_.blobs().exists(made.back()));
  writer.commit();
  EXPECT_EQ(ingest_files(), 0U);
}

TEST_F(StoreTest, ImagesRecordedTogetherGoInAllOrNone) {
  NewImage first = make_image("first", {put_layer("layer one")});
  NewImage broken = make_image("broken", {put_layer("layer two")});
  broken.layers[0].digest = Digest::sha256_of("a layer nobody stored");
  NewImage second = make_image("second", {put_layer("layer three")});
  std::vector<std::string> a{"localhost/a:1"};
  std::vector<std::string> b{"localhost/b:1"};
  {
    ImageWriter writer(store_);
    error_of(ErrorKind::kInternal, [&] { writer.record({{first, a}, {broken, b}}, "load"); });
  }
  EXPECT_TRUE(store_.images().empty());
  ImageWriter writer(store_);
  writer.record({{first, a}, {second, b}}, "load");
  writer.finish();
  EXPECT_EQ(store_.images().size(), 2U);
  EXPECT_EQ(store_.image_by_name("localhost/a:1"), first.id);
  EXPECT_EQ(store_.image_by_name("localhost/b:1"), second.id);
  EXPECT_TRUE(store_.blobs().exists(second.layers[0].digest));  // its own rows keep it
}

TEST_F(StoreTest, ADigestIsLeasedOnceAndStillSeenWhenAnotherWriterStoresIt) {
  auto lease_rows = [&] {
    Statement count(store_.db(), "SELECT COUNT(*) FROM lease_blobs");
    return count.step() ? count.integer(0) : -1;
  };
  Digest digest = Digest::sha256_of("stored by someone else");
  ImageWriter writer(store_);
  EXPECT_FALSE(writer.protect(digest));
  EXPECT_EQ(lease_rows(), 1);
  store_.blobs().put("stored by someone else");
  EXPECT_TRUE(writer.protect(digest));
  EXPECT_EQ(lease_rows(), 1);
  // Stored now: this writer's copy is not kept as created.
  EXPECT_EQ(writer.put("stored by someone else", digest), digest);
  EXPECT_TRUE(writer.created().empty());
}

}  // namespace
}  // namespace schicht::store::test
