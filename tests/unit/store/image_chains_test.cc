// Store::image_chains_on_base (what `image tree` reads) and the one-image names_history.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/store.h"
#include "store_test_util.h"

namespace schicht::store::test {
namespace {

std::vector<Digest> ids_of(const std::vector<ImageChain>& images) {
  std::vector<Digest> out;
  for (const auto& image : images) out.push_back(image.id);
  return out;
}

TEST_F(StoreTest, ImageChainsOnBaseFindEveryImageOnThatBaseInOrder) {
  LayerInfo l1 = put_layer("base"), l2 = put_layer("second"), l3 = put_layer("third");
  LayerInfo other = put_layer("other base");
  LayerInfo recompressed = put_layer("base, recompressed");
  recompressed.diff_id = l1.diff_id;  // another blob of the same layer

  NewImage base = add("base", {l1, l2}, {"localhost/base:1", "localhost/base:2"});
  NewImage unrelated = add("unrelated", {other, l1}, {"localhost/unrelated:1"});
  NewImage child = add("child", {l1, l2, l3});
  NewImage twin = add("twin", {recompressed}, {"localhost/twin:1"});
  add("empty", {}, {"localhost/empty:1"});
  store_.tag(child.id, "localhost/child:1");

  auto found = store_.image_chains_on_base(l1.diff_id);
  EXPECT_EQ(ids_of(found), (std::vector<Digest>{base.id, child.id, twin.id}));
  ASSERT_EQ(found.size(), 3u);
  EXPECT_EQ(found[0].names, (std::vector<std::string>{"localhost/base:1", "localhost/base:2"}));
  EXPECT_EQ(found[0].diff_ids, (std::vector<Digest>{l1.diff_id, l2.diff_id}));
  EXPECT_EQ(found[1].names, std::vector<std::string>{"localhost/child:1"});
  EXPECT_EQ(found[1].diff_ids, (std::vector<Digest>{l1.diff_id, l2.diff_id, l3.diff_id}));
  EXPECT_EQ(found[1].sizes, (std::vector<uint64_t>{l1.uncompressed_size, l2.uncompressed_size,
                                                   l3.uncompressed_size}));
  EXPECT_EQ(found[2].diff_ids, std::vector<Digest>{l1.diff_id});
  EXPECT_EQ(found[2].sizes, std::vector<uint64_t>{recompressed.uncompressed_size});

  EXPECT_EQ(ids_of(store_.image_chains_on_base(other.diff_id)), std::vector<Digest>{unrelated.id});
  EXPECT_TRUE(store_.image_chains_on_base(l2.diff_id).empty());  // never a base
  EXPECT_TRUE(store_.image_chains_on_base(Digest::sha256_of("nothing")).empty());

  store_.remove_image(child.id);
  EXPECT_EQ(ids_of(store_.image_chains_on_base(l1.diff_id)),
            (std::vector<Digest>{base.id, twin.id}));
}

TEST_F(StoreTest, NamesHistoryOfOneImageEqualsItsEntryInTheWholeHistory) {
  NewImage a = add("a", {}, {"localhost/app:1"});
  NewImage b = add("b", {}, {"localhost/other:1"});
  store_.tag(a.id, "localhost/app:2");
  store_.tag(b.id, "localhost/app:1");  // moves away from a
  store_.tag(a.id, "localhost/app:1");  // and back: listed once, newest first
  auto all = store_.names_history();
  EXPECT_EQ(store_.names_history(a.id),
            (std::vector<std::string>{"localhost/app:1", "localhost/app:2"}));
  EXPECT_EQ(store_.names_history(a.id), all[a.id.str()]);
  EXPECT_EQ(store_.names_history(b.id), all[b.id.str()]);
  EXPECT_TRUE(store_.names_history(Digest::sha256_of("none")).empty());
}

}  // namespace
}  // namespace schicht::store::test
