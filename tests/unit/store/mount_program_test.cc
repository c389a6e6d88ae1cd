#include "store/storage_conf.h"

#include <gtest/gtest.h>

#include <fstream>

#include "../error_of.h"
#include "../scoped_env.h"
#include "core/fs.h"

namespace schicht::store {
namespace {

class MountProgramTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("mount-program-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    conf_ = dir_ / "storage.conf";
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write_conf(const std::string& text) { std::ofstream(conf_) << text; }

  fs::path dir_, conf_;
};

TEST_F(MountProgramTest, ReadsTheMountProgramFromStorageConf) {
  test_env::ScopedEnv env("CONTAINERS_STORAGE_CONF", conf_.string());
  write_conf(
      "[storage]\ndriver = \"overlay\"\n[storage.options]\nmount_program = \"/old\"\n"
      "[storage.options.overlay]\nmount_program = \"/usr/bin/fuse-overlayfs\"\n");
  EXPECT_EQ(overlay_mount_program({}), "/usr/bin/fuse-overlayfs");
  write_conf("[storage.options]\nmount_program = \"/legacy\"\n");
  EXPECT_EQ(overlay_mount_program({}), "/legacy");
  write_conf("[storage]\ndriver = \"vfs\"\n");
  EXPECT_EQ(overlay_mount_program({}), "");
}

TEST_F(MountProgramTest, AMissingStorageConfMeansNoOptions) {
  test_env::ScopedEnv env("CONTAINERS_STORAGE_CONF", (dir_ / "absent.conf").string());
  EXPECT_EQ(overlay_mount_program({}), "");
}

TEST_F(MountProgramTest, FlagsReplaceStorageConf) {
  test_env::ScopedEnv env("CONTAINERS_STORAGE_CONF", conf_.string());
  write_conf("[storage.options.overlay]\nmount_program = \"/from-conf\"\n");
  std::vector<std::string> options = {"overlay.mount_program=/from-flag"};
  EXPECT_EQ(overlay_mount_program(options), "/from-flag");
  options = {"mount_program=/short"};
  EXPECT_EQ(overlay_mount_program(options), "/short");
  // Any flag, even another driver's option or an empty one, drops storage.conf's options.
  options = {"overlay.size=10G"};
  EXPECT_EQ(overlay_mount_program(options), "");
  options = {""};
  EXPECT_EQ(overlay_mount_program(options), "");
}

TEST_F(MountProgramTest, RefusesMalformedInput) {
  std::vector<std::string> options = {"overlay.mount_program"};
  EXPECT_EQ(error_of(ErrorKind::kInvalidInput, [&] { overlay_mount_program(options); }),
            "invalid storage option \"overlay.mount_program\": expected KEY=VALUE");
  test_env::ScopedEnv env("CONTAINERS_STORAGE_CONF", conf_.string());
  write_conf("[storage\n");
  std::string message = error_of(ErrorKind::kInvalidInput, [&] { overlay_mount_program({}); });
  EXPECT_EQ(message.rfind(conf_.string() + ": ", 0), 0u) << message;
}

}  // namespace
}  // namespace schicht::store
