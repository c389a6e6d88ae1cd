// images' model: one row per tagged name, <none> rows, podman's sort orders, the additional
// stores' images once and read-only, usage and the ImageSummary JSON.
#include "images/list.h"

#include <gtest/gtest.h>

#include <thread>

#include <nlohmann/json.hpp>

#include "images_model_test_util.h"

namespace schicht::images {
namespace {

using Strings = std::vector<std::string>;

class ListTest : public test::ModelTest {
 protected:
  store::NewImage image(const std::string& seed, const Strings& names, int64_t created) {
    store::NewImage image = make_image(seed, {put_layer("layer of " + seed)});
    image.created = created;
    store_.add_image(image, names, "pull");
    return image;
  }

  static Strings shown(const ImageList& list) {
    Strings out;
    for (const auto& row : list.rows) out.push_back(row.name.empty() ? "-" : std::string(row.name));
    return out;
  }

  std::vector<std::unique_ptr<store::Store>> none_;
};

TEST_F(ListTest, OneRowPerTaggedNameNewestFirst) {
  image("old", {"localhost/b:1", "localhost/a:2"}, 1);
  image("new", {"localhost/c@sha256:" + std::string(64, 'a')}, 3);
  image("mid", {}, 2);
  ImageList list = list_images(store_, none_, {.all = true}, store::now_ns());
  EXPECT_EQ(shown(list), (Strings{"localhost/c@sha256:" + std::string(64, 'a'), "-",
                                  "localhost/b:1", "localhost/a:2"}));
  EXPECT_EQ(list.images.size(), 3u);
}

TEST_F(ListTest, SortsRowsByRepositoryOrTag) {
  image("x", {"localhost/b:1", "localhost/a:2"}, 1);
  image("y", {"localhost/c:0"}, 2);
  EXPECT_EQ(shown(list_images(store_, none_, {.all = true, .sort = "repository"}, 0)),
            (Strings{"localhost/a:2", "localhost/b:1", "localhost/c:0"}));
  EXPECT_EQ(shown(list_images(store_, none_, {.all = true, .sort = "tag"}, 0)),
            (Strings{"localhost/c:0", "localhost/b:1", "localhost/a:2"}));
}

TEST_F(ListTest, ReferenceArgumentAndBadSortKey) {
  image("x", {"localhost/a:1"}, 1);
  image("y", {"localhost/b:1"}, 2);
  EXPECT_EQ(shown(list_images(store_, none_, {.reference = "localhost/b"}, store::now_ns())),
            (Strings{"localhost/b:1"}));
  std::string message =
      error_of(ErrorKind::kInvalidInput, [&] { list_images(store_, none_, {.sort = "name"}, 0); });
  EXPECT_EQ(message,
            "\"name\" is not a valid field for sorting. Choose from: created, id, repository, "
            "size, tag");
}

TEST_F(ListTest, AdditionalStoresAddTheirOwnImagesReadOnly) {
  auto shared = image("shared", {"localhost/s:1"}, 1);
  TempDir other_dir(temp_root(), "schicht-list-test");
  {
    store::Store other(other_dir.path() / "root");
    std::string config = R"({"architecture":"amd64","os":"linux","seed":"extra"})";
    store::NewImage extra = make_image("extra", {});
    extra.id = other.blobs().put(config, std::nullopt, "config");
    extra.manifest_digest = other.blobs().put("{}", std::nullopt, "manifest");
    other.add_image(extra, {"localhost/extra:1"}, "pull");
    store::NewImage again = make_image("shared", {});
    again.id = other.blobs().put(store_.blobs().read(shared.id), std::nullopt, "config");
    again.manifest_digest = other.blobs().put("{} ", std::nullopt, "manifest");
    other.add_image(again, {"localhost/s:other"}, "pull");
  }
  std::vector<std::unique_ptr<store::Store>> additional;
  additional.push_back(
      std::make_unique<store::Store>(other_dir.path() / "root", store::Store::ReadOnly{}));
  ImageList list = list_images(store_, additional, {.all = true, .sort = "id"}, 0);
  ASSERT_EQ(list.images.size(), 2u);
  for (const auto& row : list.rows) {
    EXPECT_EQ(row.image->read_only, row.name == "localhost/extra:1") << row.name;
  }
}

TEST_F(ListTest, SummaryJsonAndUsage) {
  auto named = image("named", {"localhost/a:1"}, 1'700'000'000'123'000'000);
  auto dangling = image("dangling", {}, 1);
  UsageCounter usage(store_, true, true);
  EXPECT_TRUE(usage.of(*store_.image(dangling.id)).dangling);
  EXPECT_FALSE(usage.of(*store_.image(named.id)).dangling);
  UsageCounter unasked(store_, false, false);
  EXPECT_FALSE(unasked.of(*store_.image(dangling.id)).dangling);
  auto doc = summary_json(*store_.image(named.id), {"localhost/old:1"}, Usage{});
  EXPECT_EQ(doc["Created"], 1'700'000'000);
  EXPECT_EQ(doc["CreatedAt"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(doc["Names"], (Strings{"localhost/a:1"}));
  EXPECT_EQ(doc["History"], (Strings{"localhost/old:1"}));
  EXPECT_FALSE(doc.contains("Dangling"));
  EXPECT_TRUE(doc["RepoTags"].is_null());
}

TEST(SplitStoredName, RepositoryAndTag) {
  using P = std::pair<std::string_view, std::string_view>;
  EXPECT_EQ(split_stored_name("localhost:5000/a:1"), (P{"localhost:5000/a", "1"}));
  EXPECT_EQ(split_stored_name("localhost:5000/a"), (P{"localhost:5000/a", ""}));
  EXPECT_EQ(split_stored_name("docker.io/a@sha256:ab"), (P{"docker.io/a", ""}));
}

}  // namespace
}  // namespace schicht::images
