// The image totals system df reads (kept by the schema's triggers) stay equal to a recount and
// to the usage walk across adds, re-adds, removals, concurrent writers and migration, and
// system check finds and repairs a wrong one.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "store/check.h"
#include "store/db.h"
#include "store/usage.h"
#include "store_test_util.h"

namespace schicht::store::test {
namespace {

class ImageTotalsTest : public StoreTest {
 protected:
  // The kept totals agree with a recount and with the per-image walk.
  void expect_exact() {
    ImageTotals kept = image_totals(store_), counted = counted_image_totals(store_);
    EXPECT_EQ(kept.images, counted.images);
    EXPECT_EQ(kept.bytes, counted.bytes);
    EXPECT_EQ(kept.bytes, usage(store_).image_bytes);
  }
};

TEST_F(ImageTotalsTest, StayExactAcrossAddReAddAndRemove) {
  expect_exact();
  LayerInfo base = put_layer("shared base"), a_own = put_layer("a's layer");
  LayerInfo b_own = put_layer("b's larger layer, of more bytes");
  NewImage a = add("a", {base, a_own}, {"localhost/a:1"});
  expect_exact();
  EXPECT_EQ(image_totals(store_).bytes, base.size + a_own.size + a.config_size + a.manifest_size);
  NewImage b = add("b", {base, b_own, base}, {"localhost/b:1"});  // a layer twice
  expect_exact();
  store_.add_image(a, {"localhost/a:2"}, "pull");  // the same image again (REPLACE of its rows)
  expect_exact();
  NewImage empty = add("empty", {}, {});
  store_.blobs().put("a blob no image references", std::nullopt, "stray");
  expect_exact();
  EXPECT_EQ(image_totals(store_).images, 3U);

  store_.remove_image(a.id);  // the base stays: b holds it
  expect_exact();
  EXPECT_EQ(image_totals(store_).bytes, base.size + b_own.size + b.config_size + b.manifest_size +
                                            empty.config_size + empty.manifest_size);
  store_.remove_image(b.id);
  store_.remove_image(empty.id);
  expect_exact();
  EXPECT_EQ(image_totals(store_).images, 0U);
  EXPECT_EQ(image_totals(store_).bytes, 0U);
}

TEST_F(ImageTotalsTest, StayExactUnderTwoConcurrentWriters) {
  LayerInfo base = put_layer("the base every image shares");
  std::vector<NewImage> images[2];
  for (int w = 0; w < 2; ++w) {
    for (int i = 0; i < 20; ++i) {
      std::string seed = std::to_string(w) + "-" + std::to_string(i);
      images[w].push_back(make_image(seed, {base, put_layer("layer " + seed)}));
    }
  }
  // Each writer its own Store (its own connection), as two processes would have.
  auto writer = [&](int w) {
    Store store(dir_.path() / "root");
    for (size_t i = 0; i < images[w].size(); ++i) {
      store.add_image(images[w][i], {"localhost/w" + std::to_string(w) + ":" + std::to_string(i)},
                      "pull");
      if (i % 3 == 2) store.remove_image(images[w][i - 1].id);
    }
  };
  std::thread first(writer, 0), second(writer, 1);
  first.join();
  second.join();
  expect_exact();
  EXPECT_EQ(image_totals(store_).images, 2U * (20 - 6));
  for (int w = 0; w < 2; ++w) {
    for (const auto& image : images[w]) {
      if (store_.image(image.id)) store_.remove_image(image.id);
    }
  }
  expect_exact();
  EXPECT_EQ(image_totals(store_).bytes, 0U);
}

TEST_F(ImageTotalsTest, MigrationCountsAnOlderStore) {
  LayerInfo layer = put_layer("a layer");
  NewImage a = add("a", {layer}, {"localhost/a:1"});
  uint64_t bytes = image_totals(store_).bytes;
  {
    // The store as schema 7 left it: no totals, no view, no triggers.
    Db db((dir_.path() / "root" / "db.sqlite").string(), DbMode::kReadWrite);
    Statement triggers(db, "SELECT name FROM sqlite_master WHERE type = 'trigger'");
    std::vector<std::string> names;
    while (triggers.step()) names.push_back(triggers.text(0));
    for (const auto& name : names) db.exec("DROP TRIGGER " + name);
    db.exec("DROP VIEW image_blob_refs");
    db.exec("DROP TABLE image_totals");
    db.exec("PRAGMA user_version = 7");
  }
  Store reopened(dir_.path() / "root");
  ImageTotals totals = image_totals(reopened);
  EXPECT_EQ(totals.images, 1U);
  EXPECT_EQ(totals.bytes, bytes);
  reopened.remove_image(a.id);
  EXPECT_EQ(image_totals(reopened).bytes, 0U);
}

TEST_F(ImageTotalsTest, SystemCheckFindsAndRepairsWrongTotals) {
  add("a", {put_layer("a layer")}, {"localhost/a:1"});
  store_.db().exec("UPDATE image_totals SET bytes = bytes + 7, images = 5");
  CheckReport report = check_store(store_, {.quick = true});
  ASSERT_EQ(report.problems.size(), 1U);
  EXPECT_NE(report.problems[0].find("image totals: 5 images"), std::string::npos);
  EXPECT_EQ(report.unrepaired, 1U);
  EXPECT_EQ(image_totals(store_).images, 5U);  // without repair nothing changes

  report = check_store(store_, {.quick = true, .repair = true});
  EXPECT_EQ(report.repairs.size(), 1U);
  expect_exact();
  EXPECT_TRUE(check_store(store_, {.quick = true}).problems.empty());
}

TEST_F(ImageTotalsTest, BlobsFreedByAgreesWithTheUsageWalk) {
  LayerInfo base = put_layer("shared base"), a_own = put_layer("a's layer");
  NewImage a = add("a", {base, a_own}, {"localhost/a:1"});
  NewImage b = add("b", {base, put_layer("b's layer"), base}, {"localhost/b:1"});
  NewImage c = add("c", {base}, {});
  // A layer without a blob row (a damaged store) is never counted as freed.
  LayerInfo unrecorded = put_layer("recorded, then its row is gone");
  NewImage d = add("d", {unrecorded}, {});
  store_.db().exec("PRAGMA foreign_keys=OFF");
  Statement(store_.db(), "DELETE FROM blobs WHERE digest = ?")
      .bind(1, unrecorded.digest.str())
      .run();
  Usage walk = usage(store_);
  for (const std::vector<std::string>& ids :
       std::vector<std::vector<std::string>>{{},
                                             {a.id.str()},
                                             {a.id.str(), b.id.str()},
                                             {a.id.str(), b.id.str(), c.id.str()},
                                             {d.id.str()},
                                             {a.id.str(), b.id.str(), c.id.str(), d.id.str()}}) {
    EXPECT_EQ(blobs_freed_by(store_, ids), walk.blobs_freed_by(ids));
  }
  std::vector<std::string> all = blobs_freed_by(store_, {a.id.str(), b.id.str(), c.id.str()});
  EXPECT_NE(std::find(all.begin(), all.end(), base.digest.str()), all.end());
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end()));
}

}  // namespace
}  // namespace schicht::store::test
