// store_layer with unpacking (pull --unpack): the layer is stored as without it, and its diff
// snapshot extracted in the same pass is placed under its chain ID; a layer the extraction
// refuses is still stored (create reports it), and a corrupt one fails as it always did.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "archive/tar_writer.h"
#include "copy/layer_split.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/media_type.h"
#include "error_of.h"
#include "memory_blobs.h"
#include "snapshot/snapshotter.h"
#include "store/image_writer.h"
#include "store/store.h"

namespace schicht::copy {
namespace {

Descriptor layer_of(const std::string& bytes) {
  return blob_of(bytes, media_type::kOciLayerGzip);
}

class UnpackLayerTest : public ::testing::Test {
 protected:
  UnpackLayerTest()
      : dir_(fs::temp_directory_path(), "schicht-unpack-layer"),
        store_(dir_.path() / "root"),
        snapshots_(dir_.path() / "root" / "snapshots") {}

  // Stores `bytes` with unpacking; returns its digests.
  LayerDigests store(store::ImageWriter& writer, const std::string& bytes,
                     std::unique_ptr<snapshot::UnpackedLayer>& unpacked) {
    StringReader data(bytes);
    return store_layer(writer, layer_of(bytes), data, "blob", snapshots_, unpacked);
  }

  TempDir dir_;
  store::Store store_;
  snapshot::Snapshotter snapshots_;
};

TEST_F(UnpackLayerTest, TheLayerIsStoredAndItsSnapshotPlacedOnceItsDiffIdIsKnown) {
  StringWriter plain;
  TarWriter tar(plain);
  tar.add_directory("etc", 0755, 1);
  tar.add_file("etc/hosts", "127.0.0.1 localhost\n", 0644, 1);
  tar.finish();
  std::string bytes = gzipped(plain.str());
  store::ImageWriter writer(store_);
  std::unique_ptr<snapshot::UnpackedLayer> unpacked;
  LayerDigests got = store(writer, bytes, unpacked);
  EXPECT_EQ(got.diff_id, Digest::sha256_of(plain.str()));
  EXPECT_TRUE(store_.blobs().exists(got.digest));
  ASSERT_NE(unpacked, nullptr);
  EXPECT_TRUE(unpacked->usable());
  // Another diff ID than the stream's places nothing.
  EXPECT_FALSE(snapshots_.place(got.diff_id, Digest::sha256_of("other"), *unpacked, {}));
  EXPECT_FALSE(snapshots_.exists(got.diff_id));
  EXPECT_TRUE(snapshots_.stale().empty());
  unpacked.reset();
  LayerDigests again = store(writer, bytes, unpacked);
  ASSERT_TRUE(snapshots_.place(again.diff_id, again.diff_id, *unpacked, {}));
  EXPECT_EQ(read_file(snapshots_.path_of(again.diff_id) / "etc/hosts"), "127.0.0.1 localhost\n");
  EXPECT_TRUE(snapshots_.stale().empty());
}

TEST_F(UnpackLayerTest, ALayerTheExtractionRefusesIsStoredAsWithoutUnpacking) {
  StringWriter plain;
  TarWriter tar(plain);
  tar.add_file("../escape", "x", 0644, 1);
  tar.add_file("after", "y", 0644, 1);
  tar.finish();
  std::string bytes = gzipped(plain.str());
  store::ImageWriter writer(store_);
  std::unique_ptr<snapshot::UnpackedLayer> unpacked;
  LayerDigests got = store(writer, bytes, unpacked);
  EXPECT_EQ(got.diff_id, Digest::sha256_of(plain.str()));
  ASSERT_NE(unpacked, nullptr);
  EXPECT_FALSE(unpacked->usable());
  EXPECT_FALSE(snapshots_.place(got.diff_id, got.diff_id, *unpacked, {}));
  EXPECT_TRUE(snapshots_.list().empty());
}

TEST_F(UnpackLayerTest, ACorruptTarFailsAsWithoutUnpackingAndLeavesNothing) {
  std::string not_tar(4096, 'x');
  std::string bytes = gzipped(not_tar);
  std::string expected;
  {
    store::ImageWriter writer(store_);
    StringReader data(bytes);
    expected = error_of(ErrorKind::kInvalidInput,
                        [&] { store_layer(writer, layer_of(bytes), data, "blob"); });
  }
  ASSERT_NE(expected, "");
  store::ImageWriter writer(store_);
  std::unique_ptr<snapshot::UnpackedLayer> unpacked;
  EXPECT_EQ(error_of(ErrorKind::kInvalidInput, [&] { store(writer, bytes, unpacked); }), expected);
  unpacked.reset();
  EXPECT_TRUE(snapshots_.list().empty());
  EXPECT_TRUE(snapshots_.stale().empty());
}

// Without unpacking, a layer of at most one chunk (256 KiB) is stored on the calling thread and
// a larger one on two: the same blob and digests, and the same errors, either way.
class StoreLayerTest : public ::testing::Test {
 protected:
  StoreLayerTest()
      : dir_(fs::temp_directory_path(), "schicht-store-layer"), store_(dir_.path() / "root") {}

  TempDir dir_;
  store::Store store_;
};

// Yields `good` bytes, then fails as a broken download or a wrong diffID does.
class BrokenReader final : public Reader {
 public:
  explicit BrokenReader(size_t good) : left_(good) {}
  size_t read(void* buffer, size_t size) override {
    if (left_ == 0) fail(ErrorKind::kIntegrity, "the source broke");
    size_t n = std::min(size, left_);
    std::memset(buffer, 'x', n);
    left_ -= n;
    return n;
  }

 private:
  size_t left_;
};

constexpr size_t kSmall = 4096;
constexpr size_t kLarge = size_t{600} << 10;

TEST_F(StoreLayerTest, SmallAndLargeLayersAreStoredAlike) {
  for (size_t content : {kSmall, kLarge}) {
    StringWriter plain;
    TarWriter tar(plain);
    tar.add_file("data", std::string(content, 'a'), 0644, 1);
    tar.finish();
    for (const std::string& bytes : {plain.str(), gzipped(plain.str())}) {
      store::ImageWriter writer(store_);
      StringReader data(bytes);
      LayerDigests got = store_layer(writer, layer_of(bytes), data, "blob");
      EXPECT_EQ(got.digest, Digest::sha256_of(bytes));
      EXPECT_EQ(got.diff_id, Digest::sha256_of(plain.str()));
      EXPECT_EQ(got.uncompressed_size, plain.str().size());
      EXPECT_TRUE(store_.blobs().exists(got.digest));
      writer.commit();
    }
  }
}

TEST_F(StoreLayerTest, ErrorsAreTheSameOnOneThreadAndOnTwo) {
  std::vector<std::string> not_layer;
  for (size_t size : {kSmall, kLarge}) {
    std::string bytes(size, 'x');
    store::ImageWriter writer(store_);
    StringReader data(bytes);
    not_layer.push_back(error_of(ErrorKind::kInvalidInput,
                                 [&] { store_layer(writer, layer_of(bytes), data, "blob"); }));
    StringReader other(bytes);
    Descriptor wrong = layer_of(bytes);
    wrong.digest = Digest::sha256_of("other bytes");
    EXPECT_NE(error_of(ErrorKind::kIntegrity, [&] { store_layer(writer, wrong, other, "blob"); })
                  .find("Digest did not match"),
              std::string::npos);
    // The source's own error, as it was: not named as the layer's.
    BrokenReader broken(size / 2);
    EXPECT_EQ(error_of(ErrorKind::kIntegrity, [&] { store_layer(writer, wrong, broken, "blob"); }),
              "the source broke");
    EXPECT_TRUE(writer.created().empty());
  }
  EXPECT_EQ(not_layer[0], not_layer[1]);
  EXPECT_NE(not_layer[0].find("blob"), std::string::npos) << not_layer[0];
}

}  // namespace
}  // namespace schicht::copy
