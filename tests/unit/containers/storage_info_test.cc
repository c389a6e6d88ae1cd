// The store section of `info`: counts, the driver and its options, the root's file system.
#include "containers/storage_info.h"

#include <gtest/gtest.h>

#include "store/store_test_util.h"

namespace schicht::containers {
namespace {

class StorageInfoTest : public store::test::StoreTest {};

TEST_F(StorageInfoTest, VfsStoreCountsImagesAndHasNoGraphStatus) {
  add("a", {put_layer("one")}, {"localhost/a:1"});
  add("b", {put_layer("two")}, {"localhost/b:1"});
  DriverRequest request{.root = store_.root(), .asked = "vfs"};
  StorageInfo info = storage_info(store_, request, "");
  EXPECT_EQ(info.images, 2);
  EXPECT_EQ(info.containers, 0);
  EXPECT_EQ(info.driver, "vfs");
  EXPECT_EQ(info.graph_status, nlohmann::ordered_json::object());
  EXPECT_EQ(info.graph_options, nlohmann::ordered_json::object());
  EXPECT_EQ(info.root, store_.root());
  EXPECT_EQ(info.run_root, store_.root());  // no --runroot: the root
  EXPECT_GT(info.root_allocated, 0U);
  EXPECT_LE(info.root_used, info.root_allocated);
}

TEST_F(StorageInfoTest, RunRootAsGivenAndAdditionalStoresAsGraphOptions) {
  DriverRequest request{
      .root = store_.root(),
      .asked = "vfs",
      .storage_opts = {"additionalimagestore=/srv/b", "additionalimagestore=/srv/a"}};
  StorageInfo info = storage_info(store_, request, "/run/schicht");
  EXPECT_EQ(info.run_root, "/run/schicht");
  // A Go map: one key, its last value.
  EXPECT_EQ(info.graph_options.dump(), R"({"additionalimagestore":"/srv/a"})");
}

TEST(BackingFilesystem, NamesAsContainersStorage) {
  EXPECT_EQ(backing_filesystem(0xEF53), "extfs");
  EXPECT_EQ(backing_filesystem(0x58465342), "xfs");
  EXPECT_EQ(backing_filesystem(0x01021994), "tmpfs");
  EXPECT_EQ(backing_filesystem(0x794C7630), "overlayfs");
  EXPECT_EQ(backing_filesystem(0x12345), "<unknown>");
}

}  // namespace
}  // namespace schicht::containers
