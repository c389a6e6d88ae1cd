// Disk usage: image_totals (system df's Images row, computed in SQLite) agrees with Usage (the
// per-image walk) on shared layers, images used by containers, and blobs no image references.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/usage.h"
#include "store_test_util.h"

namespace schicht::store::test {
namespace {

TEST_F(StoreTest, ImageTotalsAgreeWithTheUsageWalk) {
  EXPECT_EQ(image_totals(store_).bytes, 0U);
  LayerInfo shared = put_layer("shared base layer"), own_a = put_layer("a's layer");
  LayerInfo own_b = put_layer("b's own, larger layer");
  NewImage a = add("a", {shared, own_a}, {"localhost/a:1"});
  NewImage b = add("b", {shared, own_b, shared}, {"localhost/b:1"});  // a layer twice
  NewImage c = add("c", {}, {"localhost/c:1"});
  store_.blobs().put("a blob no image references", std::nullopt, "stray");
  store_.add_container(ContainerInfo{.id = std::string(64, 'c'),
                                     .name = "ctr",
                                     .image_id = b.id,
                                     .image_name = "localhost/b:1",
                                     .command = {"sh"},
                                     .created = 1,
                                     .chain_id = b.id,
                                     .size = 0});
  store_.add_container(ContainerInfo{.id = std::string(64, 'd'),
                                     .name = "ctr2",
                                     .image_id = b.id,
                                     .image_name = "localhost/b:1",
                                     .command = {"sh"},
                                     .created = 2,
                                     .chain_id = b.id,
                                     .size = 0});

  Usage usage = store::usage(store_);
  ImageTotals totals = image_totals(store_);
  EXPECT_EQ(totals.images, 3U);
  EXPECT_EQ(totals.active, 1U);
  EXPECT_EQ(totals.bytes, usage.image_bytes);
  EXPECT_EQ(totals.reclaimable, usage.freed_by({a.id.str(), c.id.str()}));
  // What b holds (the shared layer too) is not reclaimable; a's and c's own blobs are.
  uint64_t own = own_a.size;
  for (const NewImage* image : {&a, &c}) own += image->config_size + image->manifest_size;
  EXPECT_EQ(totals.reclaimable, own);
}

}  // namespace
}  // namespace schicht::store::test
