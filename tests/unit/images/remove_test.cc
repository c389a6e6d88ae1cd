// rmi, untag and tag as use cases: what goes, what stays, what the caller is told, and what
// is asked of containers, mounts and snapshots.
#include "images/remove.h"

#include <gtest/gtest.h>

#include "images/list_lookup.h"
#include "store/lists.h"
#include "store/store_test_util.h"

namespace schicht::images {
namespace {

using Strings = std::vector<std::string>;

// Records what a removal asked of the modules it does not own.
struct Effects {
  std::vector<Digest> containers_removed;
  std::vector<Digest> unmounted;
  int snapshot_sweeps = 0;

  RemovalEffects hooks() {
    return RemovalEffects{
        .remove_containers = [this](const Digest& id) { containers_removed.push_back(id); },
        .unmount = [this](const Digest& id) { unmounted.push_back(id); },
        .remove_unused_snapshots = [this] { ++snapshot_sweeps; },
    };
  }
};

class RemoveTest : public store::test::StoreTest {
 protected:
  Digest add_image(const std::string& seed, const Strings& names) {
    return add(seed, {put_layer("layer of " + seed)}, names).id;
  }

  Strings names_of(const Digest& id) {
    auto image = store_.image(id);
    return image ? image->names : Strings{};
  }

  Effects effects_;
};

TEST_F(RemoveTest, TheLastNameTakesTheImage) {
  Digest id = add_image("a", {"localhost/a:1"});
  RemoveResult result = remove_images(store_, {"localhost/a:1"}, {}, effects_.hooks());
  ASSERT_TRUE(result.errors.empty());
  ASSERT_EQ(result.done.size(), 1u);
  const Removed& r = result.done[0];
  EXPECT_EQ(r.what, Removed::What::kImage);
  EXPECT_EQ(r.id, id);
  EXPECT_EQ(r.untagged, Strings{"localhost/a:1"});
  EXPECT_EQ(r.referenced_by, "localhost/a:1");
  EXPECT_FALSE(store_.image(id));
  EXPECT_EQ(effects_.unmounted, std::vector<Digest>{id});
  EXPECT_TRUE(effects_.containers_removed.empty());  // only with --force
  EXPECT_EQ(effects_.snapshot_sweeps, 1);
}

TEST_F(RemoveTest, OneOfSeveralNamesGoesAlone) {
  Digest id = add_image("a", {"localhost/a:1", "localhost/a:2"});
  RemoveResult result = remove_images(store_, {"localhost/a:2"}, {}, effects_.hooks());
  ASSERT_EQ(result.done.size(), 1u);
  EXPECT_EQ(result.done[0].what, Removed::What::kName);
  EXPECT_EQ(result.done[0].untagged, Strings{"localhost/a:2"});
  EXPECT_EQ(names_of(id), Strings{"localhost/a:1"});
  EXPECT_TRUE(effects_.unmounted.empty());
  EXPECT_EQ(effects_.snapshot_sweeps, 0);
}

TEST_F(RemoveTest, ByIdWithSeveralNamesNeedsForce) {
  Digest id = add_image("a", {"localhost/a:1", "localhost/b:1"});
  RemoveResult refused = remove_images(store_, {std::string(id.hex())}, {}, effects_.hooks());
  ASSERT_EQ(refused.errors.size(), 1u);
  EXPECT_EQ(refused.errors[0].kind(), ErrorKind::kConflict);
  EXPECT_NE(std::string(refused.errors[0].what()).find("please force removal"), std::string::npos);
  EXPECT_TRUE(refused.done.empty());
  EXPECT_EQ(names_of(id).size(), 2u);

  RemoveResult forced = remove_images(store_, {std::string(id.hex().substr(0, 12))},
                                      {.force = true}, effects_.hooks());
  ASSERT_TRUE(forced.errors.empty());
  ASSERT_EQ(forced.done.size(), 1u);
  EXPECT_EQ(forced.done[0].what, Removed::What::kImage);
  EXPECT_EQ(forced.done[0].untagged.size(), 2u);
  // Named by an ID prefix, the remove event names it as typed.
  EXPECT_EQ(forced.done[0].referenced_by, std::string(id.hex().substr(0, 12)));
  EXPECT_EQ(effects_.containers_removed, std::vector<Digest>{id});
  EXPECT_FALSE(store_.image(id));
}

TEST_F(RemoveTest, UnknownImagesFailUnlessIgnoredAndTheOthersStillGo) {
  Digest a = add_image("a", {"localhost/a:1"});
  Digest b = add_image("b", {"localhost/b:1"});
  RemoveResult result = remove_images(
      store_, {"localhost/a:1", "localhost/nosuch:1", "localhost/b:1"}, {}, effects_.hooks());
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].kind(), ErrorKind::kNotFound);
  EXPECT_EQ(result.done.size(), 2u);
  EXPECT_FALSE(store_.image(a));
  EXPECT_FALSE(store_.image(b));

  for (RemoveOptions options : {RemoveOptions{.ignore = true}, RemoveOptions{.force = true}}) {
    RemoveResult ignored = remove_images(store_, {"localhost/nosuch:1"}, options, effects_.hooks());
    EXPECT_TRUE(ignored.errors.empty());
    EXPECT_TRUE(ignored.done.empty());
  }
}

TEST_F(RemoveTest, AllRemovesEveryImageAndSweepsSnapshotsOnce) {
  add_image("a", {"localhost/a:1"});
  add_image("b", {});
  RemoveResult result = remove_all_images(store_, {}, effects_.hooks());
  EXPECT_TRUE(result.errors.empty());
  EXPECT_EQ(result.done.size(), 2u);
  for (const Removed& r : result.done) EXPECT_EQ(r.referenced_by, "");
  EXPECT_TRUE(store_.images().empty());
  EXPECT_EQ(effects_.snapshot_sweeps, 1);
}

TEST_F(RemoveTest, AListNamedLikeTheArgumentLosesThatName) {
  std::string raw =
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]})";
  store::put_list(store_, "localhost/list:1", raw, "application/vnd.oci.image.index.v1+json",
                  "application/vnd.oci.image.index.v1+json", store::ReadState{std::nullopt}, {});
  ASSERT_TRUE(find_list(store_, "list:1"));
  RemoveResult result = remove_images(store_, {"localhost/list:1"}, {}, effects_.hooks());
  ASSERT_TRUE(result.errors.empty());
  ASSERT_EQ(result.done.size(), 1u);
  EXPECT_EQ(result.done[0].what, Removed::What::kList);
  EXPECT_EQ(result.done[0].untagged, Strings{"localhost/list:1"});
  EXPECT_TRUE(result.done[0].deleted);
  EXPECT_FALSE(find_list(store_, "localhost/list:1"));
  EXPECT_EQ(error_of(ErrorKind::kNotFound, [&] { resolve_list(store_, "list:1"); }),
            "list:1: image not known");
}

TEST_F(RemoveTest, UntagTakesTheNamesGivenOrAll) {
  Digest id = add_image("a", {"localhost/a:1", "localhost/a:2", "localhost/a:3"});
  Untagged one = untag_image(store_, "localhost/a:1", {"localhost/a:2"});
  EXPECT_EQ(one.id, id);
  EXPECT_EQ(one.names, Strings{"localhost/a:2"});
  EXPECT_EQ(names_of(id), (Strings{"localhost/a:1", "localhost/a:3"}));

  std::string message = error_of(ErrorKind::kNotFound, [&] {
    untag_image(store_, "localhost/a:1", {"localhost/a:3", "localhost/other:9"});
  });
  EXPECT_EQ(message, "localhost/other:9: tag not known");
  EXPECT_EQ(names_of(id).size(), 2u);  // nothing went

  Untagged all = untag_image(store_, std::string(id.hex()), {});
  EXPECT_EQ(all.names, (Strings{"localhost/a:1", "localhost/a:3"}));
  EXPECT_TRUE(names_of(id).empty());
  EXPECT_TRUE(store_.image(id));  // untag never removes the image
}

TEST_F(RemoveTest, TagNormalizesNamesAndChecksThemAllFirst) {
  Digest id = add_image("a", {"localhost/a:1"});
  Tagged tagged = tag_image(store_, "localhost/a:1", {"b", "quay.io/c/d:2"});
  EXPECT_EQ(tagged.id, id);
  EXPECT_EQ(tagged.names, (Strings{"localhost/b:latest", "quay.io/c/d:2"}));
  EXPECT_EQ(names_of(id).size(), 3u);

  std::string digest = "sha256:" + std::string(64, 'a');
  std::string message = error_of(ErrorKind::kInvalidInput, [&] {
    tag_image(store_, "localhost/a:1", {"e", "f@" + digest});
  });
  EXPECT_NE(message.find("tag by digest not supported"), std::string::npos) << message;
  EXPECT_EQ(names_of(id).size(), 3u);  // "e" was not given either
  error_of(ErrorKind::kNotFound, [&] { tag_image(store_, "localhost/nosuch:1", {"x"}); });
}

}  // namespace
}  // namespace schicht::images
