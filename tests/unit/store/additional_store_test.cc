// Additional read-only image stores: opening another store read-only, and which directories
// storage.conf and --storage-opt name. (Pulling an image up: tests/unit/copy/store_input_test.cc.)
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "error_of.h"
#include "scoped_env.h"
#include "store/storage_conf.h"
#include "store_test_util.h"

namespace schicht::store::test {
namespace {

using AdditionalStore = StoreTest;

TEST_F(AdditionalStore, ReadsWhatItsWriterCommitsAndRefusesEveryWrite) {
  NewImage first = add("one", {put_layer("a")}, {"docker.io/library/one:1"});
  Store shared(dir_.path() / "root", Store::ReadOnly{});
  EXPECT_TRUE(shared.additional());
  EXPECT_FALSE(store_.additional());
  ASSERT_EQ(shared.images().size(), 1U);
  EXPECT_EQ(shared.image_by_name("docker.io/library/one:1"), first.id);
  // The writer goes on; the open reader sees each commit on its next query.
  NewImage second = add("two", {put_layer("b")}, {"docker.io/library/two:1"});
  EXPECT_EQ(shared.images().size(), 2U);
  EXPECT_EQ(shared.image_by_name("docker.io/library/two:1"), second.id);
  std::string message = error_of(ErrorKind::kReadOnly, [&] { shared.remove_image(first.id); });
  EXPECT_NE(message.find("image is in a read-only store"), std::string::npos) << message;
  EXPECT_NE(error_of(ErrorKind::kReadOnly, [&] { shared.tag(first.id, "x:1"); }), "");
  EXPECT_EQ(store_.images().size(), 2U);
  shared.touch(first.id);  // bookkeeping only: nothing on a read-only store, and no error
}

TEST_F(AdditionalStore, AMissingDirectoryOrOneWithoutAStoreIsNamedAndNotCreated) {
  fs::path missing = dir_.path() / "missing";
  std::string message =
      error_of(ErrorKind::kNotFound, [&] { Store s(missing, Store::ReadOnly{}); });
  EXPECT_NE(message.find("no such file or directory"), std::string::npos) << message;
  EXPECT_FALSE(fs::exists(missing));
  fs::path empty = dir_.path() / "empty";
  fs::create_directory(empty);
  message = error_of(ErrorKind::kInvalidInput, [&] { Store s(empty, Store::ReadOnly{}); });
  EXPECT_NE(message.find("not a schicht store"), std::string::npos) << message;
  EXPECT_TRUE(fs::is_empty(empty));
}

TEST(StorageConf, OptionsNameDirectoriesCommaSeparatedAndIgnoreOtherKeys) {
  EXPECT_EQ(additional_stores_from_options({"additionalimagestore=/a,/b", "overlay.mountopt=nodev",
                                            "overlay.imagestore=/c", "vfs.additionalimagestore=/a",
                                            "AdditionalImageStore=/d", "additionalimagestore="}),
            (std::vector<std::string>{"/a", "/b", "/c", "/d"}));
  EXPECT_NE(error_of(ErrorKind::kInvalidInput,
                     [] { additional_stores_from_options({"additionalimagestore=rel"}); }),
            "");
}

TEST(StorageConf, TheFilesListIsReadAndItsOtherKeysIgnored) {
  EXPECT_EQ(additional_stores_from_conf(R"([storage]
driver = "overlay"
graphroot = "/var/lib/containers/storage"
[storage.options]
additionalimagestores = ["/x", "/y", "/x"]
mount_program = "/usr/bin/fuse-overlayfs"
[storage.options.overlay]
mountopt = "nodev"
)",
                                        "s.conf"),
            (std::vector<std::string>{"/x", "/y"}));
  EXPECT_TRUE(additional_stores_from_conf("[storage]\ndriver = \"vfs\"\n", "s.conf").empty());
  for (const char* bad :
       {"[storage.options]\nadditionalimagestores = \"/x\"\n",
        "[storage.options]\nadditionalimagestores = [1]\n",
        "[storage.options]\nadditionalimagestores = [\"x\"]\n", "[storage.options\n"}) {
    std::string message =
        error_of(ErrorKind::kInvalidInput, [&] { additional_stores_from_conf(bad, "s.conf"); });
    EXPECT_EQ(message.rfind("s.conf: ", 0), 0U) << message;
  }
}

TEST(StorageConf, TheFlagReplacesTheFileWhichOnlyTheEnvironmentNames) {
  TempDir dir(temp_root(), "schicht-storage-conf-test");
  fs::path conf = dir.path() / "storage.conf";
  write_file_atomic(conf, "[storage.options]\nadditionalimagestores = [\"/from/file\"]\n");
  {
    test_env::ScopedEnv env("CONTAINERS_STORAGE_CONF", std::nullopt);
    EXPECT_TRUE(additional_image_stores({}).empty());
  }
  test_env::ScopedEnv env("CONTAINERS_STORAGE_CONF", conf.string());
  EXPECT_EQ(additional_image_stores({}), std::vector<std::string>{"/from/file"});
  EXPECT_TRUE(additional_image_stores({"overlay.mountopt=nodev"}).empty());
  EXPECT_EQ(additional_image_stores({"additionalimagestore=/flag"}),
            std::vector<std::string>{"/flag"});
  test_env::ScopedEnv missing("CONTAINERS_STORAGE_CONF", (dir.path() / "none").string());
  EXPECT_NE(error_of(ErrorKind::kNotFound, [] { additional_image_stores({}); }), "");
}

}  // namespace
}  // namespace schicht::store::test
