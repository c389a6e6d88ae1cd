#include "store/lists.h"

#include <gtest/gtest.h>

#include <string>

#include "core/error.h"

#include "store_test_util.h"

namespace schicht::store::test {
namespace {

constexpr std::string_view kIndex = "application/vnd.oci.image.index.v1+json";
constexpr std::string_view kList = "application/vnd.docker.distribution.manifest.list.v2+json";

class ListsTest : public StoreTest {};

TEST_F(ListsTest, PutThenFindByName) {
  put_list(store_, "localhost/l:latest", R"({"schemaVersion":2})", kIndex, kList);
  auto list = list_by_name(store_, "localhost/l:latest");
  ASSERT_TRUE(list.has_value());
  EXPECT_EQ(list->digest, Digest::sha256_of(R"({"schemaVersion":2})"));
  EXPECT_EQ(list->media_type, kIndex);
  EXPECT_EQ(list->format, kList);
  EXPECT_EQ(store_.blobs().read(list->digest), R"({"schemaVersion":2})");
  EXPECT_FALSE(list_by_name(store_, "localhost/other:latest").has_value());
  EXPECT_TRUE(store_.images().empty());  // a list is no image
}

TEST_F(ListsTest, EditingFreesTheOldBlobUnlessAnotherNameHasIt) {
  put_list(store_, "localhost/a:latest", "one", kIndex, kList);
  put_list(store_, "localhost/b:latest", "one", kIndex, kList);
  Digest one = Digest::sha256_of("one");
  put_list(store_, "localhost/a:latest", "two", kIndex, kList);
  EXPECT_TRUE(store_.blobs().exists(one));  // b still names it
  put_list(store_, "localhost/b:latest", "three", kIndex, kList);
  EXPECT_FALSE(store_.blobs().exists(one));
  EXPECT_EQ(lists(store_).size(), 2u);
}

TEST_F(ListsTest, AnEditFromAStaleReadIsRefusedAndChangesNothing) {
  put_list(store_, "localhost/l:latest", "one", kIndex, kList, ReadState{});
  Digest one = Digest::sha256_of("one");
  EXPECT_THROW(put_list(store_, "localhost/l:latest", "x", kIndex, kList, ReadState{}), Error);
  EXPECT_FALSE(store_.blobs().exists(Digest::sha256_of("x")));
  put_list(store_, "localhost/l:latest", "two", kIndex, kList, ReadState{one});
  EXPECT_THROW(put_list(store_, "localhost/l:latest", "three", kIndex, kList, ReadState{one}),
               Error);
  EXPECT_EQ(list_by_name(store_, "localhost/l:latest")->digest, Digest::sha256_of("two"));
  EXPECT_FALSE(store_.blobs().exists(one));
}

TEST_F(ListsTest, SourcesGoWithTheirListAndARefusedEditLeavesNone) {
  const ListSources sources = {{"sha256:aa", "reg.example/ns/repo"}};
  put_list(store_, "localhost/l:latest", "one", kIndex, kList, std::nullopt, sources);
  Digest one = Digest::sha256_of("one");
  EXPECT_EQ(list_sources(store_, one), sources);
  EXPECT_THROW(put_list(store_, "localhost/l:latest", "x", kIndex, kList, ReadState{}, sources),
               Error);
  EXPECT_TRUE(list_sources(store_, Digest::sha256_of("x")).empty());
  put_list(store_, "localhost/l:latest", "two", kIndex, kList, ReadState{one});
  EXPECT_TRUE(list_sources(store_, one).empty());  // the old list went, its sources with it
  EXPECT_TRUE(list_sources(store_, Digest::sha256_of("two")).empty());
}

TEST_F(ListsTest, GarbageCollectionKeepsListBlobsAndRemoveFreesThem) {
  put_list(store_, "localhost/l:latest", "list", kIndex, kList);
  Digest digest = Digest::sha256_of("list");
  store_.collect_garbage({digest});
  EXPECT_TRUE(store_.blobs().exists(digest));
  EXPECT_TRUE(remove_list(store_, "localhost/l:latest"));
  EXPECT_FALSE(store_.blobs().exists(digest));
  EXPECT_FALSE(remove_list(store_, "localhost/l:latest"));
}

TEST_F(ListsTest, RemovingAnImageTakesThePulledListUnderItsName) {
  NewImage image = add("app", {put_layer("layer")}, {"example.com/app:1"});
  put_list(store_, "example.com/app:1", "pulled", kList, kList);
  put_list(store_, "example.com/app:1x", "built", kIndex, kList);
  store_.remove_image(image.id);
  EXPECT_FALSE(list_by_name(store_, "example.com/app:1").has_value());
  EXPECT_FALSE(store_.blobs().exists(Digest::sha256_of("pulled")));
  EXPECT_TRUE(list_by_name(store_, "example.com/app:1x").has_value());
}

}  // namespace
}  // namespace schicht::store::test
