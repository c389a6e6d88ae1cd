// image prune as a use case: which images go, in which order, what a dry run reports, and
// what is asked of snapshots and events.
#include "images/prune.h"

#include <gtest/gtest.h>

#include <thread>

#include "store/lists.h"
#include "store/store_test_util.h"

namespace schicht::images {
namespace {

using Strings = std::vector<std::string>;

class PruneTest : public store::test::StoreTest {
 protected:
  Digest add_image(const std::string& seed, const Strings& names) {
    Digest id = add(seed, {put_layer("layer of " + seed)}, names).id;
    // last_used has nanoseconds, but a coarse clock could give two images the same.
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    store_.touch(id);
    return id;
  }

  PruneEffects effects() {
    return PruneEffects{
        .unused_snapshot_bytes =
            [this](const std::set<std::string>& removed) {
              asked_bytes_for_ = removed;
              return uint64_t{1000};
            },
        .remove_unused_snapshots =
            [this] {
              ++sweeps_;
              return uint64_t{0};
            },
        .removed = [this](const Digest& id,
                          const store::RemovalReport&) { reported_.push_back(id); },
    };
  }

  std::set<std::string> asked_bytes_for_;
  int sweeps_ = 0;
  std::vector<Digest> reported_;
};

TEST_F(PruneTest, DanglingImagesGoNamedOnesStay) {
  Digest named = add_image("named", {"localhost/a:1"});
  Digest dangling = add_image("dangling", {});
  PruneResult result = prune_images(store_, {}, effects());
  EXPECT_EQ(result.removed, std::vector<Digest>{dangling});
  EXPECT_GT(result.freed, 0u);
  EXPECT_EQ(reported_, std::vector<Digest>{dangling});
  EXPECT_EQ(sweeps_, 1);
  EXPECT_TRUE(store_.image(named));
  EXPECT_FALSE(store_.image(dangling));
}

TEST_F(PruneTest, ADryRunCountsAndRemovesNothing) {
  add_image("named", {"localhost/a:1"});
  Digest dangling = add_image("dangling", {});
  PruneResult result = prune_images(store_, {.dry_run = true}, effects());
  EXPECT_EQ(result.removed, std::vector<Digest>{dangling});
  EXPECT_GT(result.freed, 1000u);  // the blobs only it had, and the snapshots' 1000
  EXPECT_EQ(asked_bytes_for_, std::set<std::string>{dangling.str()});
  EXPECT_TRUE(reported_.empty());
  EXPECT_EQ(sweeps_, 0);
  EXPECT_TRUE(store_.image(dangling));
}

TEST_F(PruneTest, AllKeepsTheNewestOfEachRepositoryAndWhatContainersUse) {
  Digest old1 = add_image("1", {"localhost/a:1"});
  Digest old2 = add_image("2", {"localhost/a:2"});
  Digest newest = add_image("3", {"localhost/a:3"});
  Digest used = add_image("used", {"localhost/b:1"});
  store_.add_container(store::ContainerInfo{
      .id = std::string(64, 'c'), .name = "c", .image_id = used, .chain_id = used});
  PruneResult result = prune_images(store_, {.all = true, .keep_last = 1}, effects());
  // Least recently used first.
  EXPECT_EQ(result.removed, (std::vector<Digest>{old1, old2}));
  EXPECT_TRUE(store_.image(newest));
  EXPECT_TRUE(store_.image(used));

  // A dry run of system prune counts the images containers would no longer hold.
  PruneResult would =
      prune_images(store_, {.all = true, .dry_run = true, .ignore_containers = true}, effects());
  EXPECT_EQ(would.removed, (std::vector<Digest>{newest, used}));
}

TEST_F(PruneTest, AnUntaggedInstanceOfAStoredListIsNotDangling) {
  store::NewImage instance = make_image("arm64 instance", {put_layer("arm64")});
  store_.add_image(instance, {}, "pull");
  std::string raw = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json",)"
                    R"("manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
                    R"("digest":")" +
                    instance.manifest_digest.str() + R"(","size":)" +
                    std::to_string(instance.manifest_size) + "}]}";
  store::put_list(store_, "localhost/multi:1", raw, "application/vnd.oci.image.index.v1+json",
                  "application/vnd.oci.image.index.v1+json");
  EXPECT_TRUE(prune_images(store_, {}, effects()).removed.empty());
  // --all takes it: it is unused.
  EXPECT_EQ(prune_images(store_, {.all = true}, effects()).removed,
            std::vector<Digest>{instance.id});
}

TEST_F(PruneTest, OnlyTimeAndLabelFiltersAreAccepted) {
  Digest dangling = add_image("dangling", {});
  std::string message = error_of(ErrorKind::kInvalidInput, [&] {
    prune_images(store_, {.filters = {"dangling=true"}}, effects());
  });
  EXPECT_EQ(message, "dangling is an invalid filter");
  EXPECT_TRUE(store_.image(dangling));
  // No image has the label: nothing goes.
  EXPECT_TRUE(prune_images(store_, {.filters = {"label=team=x"}}, effects()).removed.empty());
  EXPECT_EQ(prune_images(store_, {.filters = {"label!=team=x"}}, effects()).removed,
            std::vector<Digest>{dangling});
}

}  // namespace
}  // namespace schicht::images
