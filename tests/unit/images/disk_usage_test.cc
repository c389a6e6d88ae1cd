// system df's numbers: the summary rows and each image's share, with snapshots brought in by
// the caller.
#include "images/disk_usage.h"

#include <gtest/gtest.h>

#include "store/store_test_util.h"

namespace schicht::images {
namespace {

class DiskUsageTest : public store::test::StoreTest {
 protected:
  SnapshotUsage snapshots(uint64_t total, uint64_t unused_per_image) {
    return SnapshotUsage{
        .bytes = [total] { return total; },
        .images_in_use = [] { return std::set<std::string>{}; },
        .unused_bytes =
            [this, unused_per_image](const std::set<std::string>& unused) {
              asked_ = unused;
              return unused_per_image * unused.size();
            },
    };
  }
  std::set<std::string> asked_;
};

TEST_F(DiskUsageTest, AnEmptyStoreHasThePodmanRows) {
  std::vector<UsageRow> rows = disk_usage(store_, snapshots(0, 0));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].type, "Images");
  EXPECT_EQ(rows[1].type, "Containers");
  EXPECT_EQ(rows[2].type, "Local Volumes");
  EXPECT_EQ(rows[0].total, 0u);
  EXPECT_EQ(rows[0].size, 0u);
}

TEST_F(DiskUsageTest, SnapshotsCountWithTheImagesOnceThereAreAny) {
  Digest a = add("a", {put_layer("layer a")}, {"localhost/a:1"}).id;
  uint64_t blobs = disk_usage(store_, snapshots(0, 0))[0].size;
  EXPECT_GT(blobs, 0u);
  EXPECT_TRUE(asked_.empty());  // no snapshots: not asked
  std::vector<UsageRow> rows = disk_usage(store_, snapshots(1000, 10));
  EXPECT_EQ(rows[0].total, 1u);
  EXPECT_EQ(rows[0].size, blobs + 1000);
  EXPECT_EQ(asked_, std::set<std::string>{a.str()});
}

TEST_F(DiskUsageTest, EachNameOfAnImageIsARow) {
  Digest a = add("a", {put_layer("layer a")}, {"localhost/a:1", "quay.io/ns/a:2"}).id;
  add("b", {put_layer("layer b")}, {});
  std::vector<ImageUsageRow> rows = image_disk_usage(store_);
  ASSERT_EQ(rows.size(), 3u);
  std::set<std::pair<std::string, std::string>> names;
  for (const ImageUsageRow& r : rows) {
    names.emplace(r.repository, r.tag);
    EXPECT_EQ(r.size, r.shared + r.unique);
    EXPECT_EQ(r.containers, 0);
  }
  EXPECT_TRUE(names.contains({"localhost/a", "1"}));
  EXPECT_TRUE(names.contains({"quay.io/ns/a", "2"}));
  EXPECT_TRUE(names.contains({"<none>", "<none>"}));
  EXPECT_EQ(rows[0].id == a || rows[1].id == a, true);
}

}  // namespace
}  // namespace schicht::images
