// store_layer with unpacking (pull --unpack): the layer is stored as without it, and its diff
// snapshot extracted in the same pass is placed under its chain ID; a layer the extraction
// refuses is still stored (create reports it), and a corrupt one fails as it always did.
#include <gtest/gtest.h>

#include <memory>
#include <string>

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

}  // namespace
}  // namespace schicht::copy
