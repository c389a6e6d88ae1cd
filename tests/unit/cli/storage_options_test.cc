#include "cli/storage_options.h"

#include <gtest/gtest.h>

#include <fstream>

#include "../error_of.h"
#include "../scoped_env.h"
#include "core/fs.h"

namespace schicht::cli {
namespace {

class StorageOptionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("storage-options-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    conf_ = dir_ / "storage.conf";
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write_conf(const std::string& text) { std::ofstream(conf_) << text; }

  fs::path dir_, conf_;
};

TEST_F(StorageOptionsTest, ReadsTheMountProgramFromStorageConf) {
  test_env::ScopedEnv env("CONTAINERS_STORAGE_CONF", conf_.string());
  write_conf(
      "[storage]\ndriver = \"overlay\"\n[storage.options]\nmount_program = \"/old\"\n"
      "[storage.options.overlay]\nmount_program = \"/usr/bin/fuse-overlayfs\"\n");
  EXPECT_EQ(storage_options({}).mount_program, "/usr/bin/fuse-overlayfs");
  write_conf("[storage.options]\nmount_program = \"/legacy\"\n");
  EXPECT_EQ(storage_options({}).mount_program, "/legacy");
  write_conf("[storage]\ndriver = \"vfs\"\n");
  EXPECT_EQ(storage_options({}).mount_program, "");
}

TEST_F(StorageOptionsTest, AMissingStorageConfMeansNoOptions) {
  test_env::ScopedEnv env("CONTAINERS_STORAGE_CONF", (dir_ / "absent.conf").string());
  EXPECT_EQ(storage_options({}).mount_program, "");
}

TEST_F(StorageOptionsTest, FlagsReplaceStorageConf) {
  test_env::ScopedEnv env("CONTAINERS_STORAGE_CONF", conf_.string());
  write_conf("[storage.options.overlay]\nmount_program = \"/from-conf\"\n");
  GlobalOptions options;
  options.storage_opts = {"overlay.mount_program=/from-flag"};
  EXPECT_EQ(storage_options(options).mount_program, "/from-flag");
  options.storage_opts = {"mount_program=/short"};
  EXPECT_EQ(storage_options(options).mount_program, "/short");
  // Any flag, even another driver's option or an empty one, drops storage.conf's options.
  options.storage_opts = {"overlay.size=10G"};
  EXPECT_EQ(storage_options(options).mount_program, "");
  options.storage_opts = {""};
  EXPECT_EQ(storage_options(options).mount_program, "");
}

TEST_F(StorageOptionsTest, RefusesMalformedInput) {
  GlobalOptions options;
  options.storage_opts = {"overlay.mount_program"};
  EXPECT_EQ(error_of(ErrorKind::kInvalidInput, [&] { storage_options(options); }),
            "invalid storage option \"overlay.mount_program\": expected KEY=VALUE");
  test_env::ScopedEnv env("CONTAINERS_STORAGE_CONF", conf_.string());
  write_conf("[storage\n");
  std::string message = error_of(ErrorKind::kInvalidInput, [&] { storage_options({}); });
  EXPECT_EQ(message.rfind(conf_.string() + ": ", 0), 0u) << message;
}

}  // namespace
}  // namespace schicht::cli
