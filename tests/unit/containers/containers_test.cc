// The container model on a real store: the names and images containers use, the snapshots
// they keep, removing an image's containers, and what `container inspect` shows.
#include "containers/containers.h"

#include <gtest/gtest.h>

#include "core/fs.h"
#include "store/store_test_util.h"

namespace schicht::containers {
namespace {

class ContainersTest : public store::test::StoreTest {
 protected:
  // A container row of `image` (no root filesystem: what is tested needs none).
  store::ContainerInfo add_container(const std::string& id, const std::string& name,
                                     const Digest& image) {
    store::ContainerInfo c{.id = id,
                           .name = name,
                           .image_id = image,
                           .image_name = "localhost/app:latest",
                           .command = {"/bin/sh", "-c", "true"},
                           .created = 1'700'000'000'000'000'000,
                           .chain_id = image,
                           .size = 42};
    store_.add_container(c);
    make_dirs(store_.container_dir(id) / "rootfs", 0755);
    return c;
  }

  std::string hex_id(char c) { return std::string(64, c); }
};

TEST_F(ContainersTest, NamesAndImagesInUse) {
  store::NewImage used = add("used", {put_layer("a")}, {"localhost/used:latest"});
  add("unused", {put_layer("b")}, {"localhost/unused:latest"});
  add_container(hex_id('1'), "brave_curie", used.id);
  add_container(hex_id('2'), "keen_euler", used.id);
  EXPECT_EQ(container_names(store_), (std::set<std::string>{"brave_curie", "keen_euler"}));
  EXPECT_EQ(images_in_use(store_), std::set<std::string>{used.id.str()});
}

TEST_F(ContainersTest, NeededSnapshotsAreEveryPrefixOfEveryChain) {
  store::LayerInfo bottom = put_layer("bottom"), top = put_layer("top");
  store::NewImage two = add("two", {bottom, top}, {"localhost/two:latest"});
  store::NewImage other = add("other", {put_layer("other")}, {"localhost/other:latest"});
  Digest chain_top = chain_id(bottom.diff_id, top.diff_id);
  EXPECT_EQ(needed_snapshots(store_), (std::set<std::string>{bottom.diff_id.str(), chain_top.str(),
                                                             other.layers[0].diff_id.str()}));
  // Without the image that is going, only the other's chain is needed ...
  EXPECT_EQ(needed_snapshots(store_, {two.id.str()}),
            std::set<std::string>{other.layers[0].diff_id.str()});
  // ... unless a container uses it: its snapshots may be an overlay's lower directories.
  add_container(hex_id('3'), "lucid_gauss", two.id);
  EXPECT_EQ(needed_snapshots(store_, {two.id.str()}).count(chain_top.str()), 1u);
}

TEST_F(ContainersTest, RemoveContainersOfAnImageRemovesRowsAndFiles) {
  store::NewImage a = add("a", {put_layer("a")}, {"localhost/a:latest"});
  store::NewImage b = add("b", {put_layer("b")}, {"localhost/b:latest"});
  add_container(hex_id('4'), "one", a.id);
  add_container(hex_id('5'), "two", a.id);
  add_container(hex_id('6'), "three", b.id);
  remove_containers_of(store_, a.id);
  EXPECT_EQ(container_names(store_), std::set<std::string>{"three"});
  EXPECT_FALSE(fs::exists(store_.container_dir(hex_id('4'))));
  EXPECT_FALSE(fs::exists(store_.container_dir(hex_id('5'))));
  EXPECT_TRUE(fs::exists(store_.container_dir(hex_id('6'))));
}

TEST_F(ContainersTest, RemoveUnmeasuredRemovesRowAndFiles) {
  store::NewImage a = add("a", {put_layer("a")}, {"localhost/a:latest"});
  add_container(hex_id('7'), "one", a.id);
  remove_container_unmeasured(store_, hex_id('7'));
  EXPECT_FALSE(store_.find_container(hex_id('7')));
  EXPECT_FALSE(fs::exists(store_.container_dir(hex_id('7'))));
}

TEST_F(ContainersTest, InspectShowsAVfsContainerAsPodman) {
  store::NewImage a = add("a", {put_layer("a")}, {"localhost/a:latest"});
  store::ContainerInfo c = add_container(hex_id('8'), "jolly_noether", a.id);
  nlohmann::ordered_json d = container_inspect_json(store_, c);
  EXPECT_EQ(d["Id"], c.id);
  EXPECT_EQ(d["Path"], "/bin/sh");
  EXPECT_EQ(d["Args"], nlohmann::ordered_json({"-c", "true"}));
  EXPECT_EQ(d["State"]["Status"], "created");
  EXPECT_EQ(d["Image"], std::string(a.id.hex()));
  EXPECT_EQ(d["ImageDigest"], a.manifest_digest.str());
  EXPECT_EQ(d["Name"], "jolly_noether");
  EXPECT_EQ(d["Driver"], "vfs");  // no upper directory
  EXPECT_EQ(
      d["GraphDriver"]["Data"],
      nlohmann::ordered_json({{"MergedDir", (store_.container_dir(c.id) / "rootfs").string()}}));
  EXPECT_EQ(d["SizeRootFs"], 42);
}

}  // namespace
}  // namespace schicht::containers
