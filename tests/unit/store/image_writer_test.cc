#include "store/image_writer.h"

#include <gtest/gtest.h>

#include <string>

#include "core/error.h"
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

}  // namespace
}  // namespace schicht::store::test
