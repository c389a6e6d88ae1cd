// The storage driver chosen from --storage-driver and --storage-opt. Only choices made without
// probing overlayfs are tested here: the probe's result is kept for the process (the system
// tests storage_driver.bats and fuse_overlay.bats cover the probe).
#include "containers/storage_driver.h"

#include <gtest/gtest.h>

#include "error_of.h"

namespace schicht::containers {
namespace {

TEST(StorageDriver, VfsAskedIsVfsWithoutProbing) {
  // The root does not exist: a probe would fail, vfs needs none.
  DriverRequest request{.root = "/nonexistent/schicht-root", .asked = "vfs"};
  EXPECT_EQ(storage_driver(request), StorageDriver::kVfs);
  EXPECT_EQ(storage_driver_name(storage_driver(request)), "vfs");
}

TEST(StorageDriver, UnknownDriverIsInvalidInput) {
  DriverRequest request{.root = "/nonexistent/schicht-root", .asked = "btrfs"};
  std::string message = error_of(ErrorKind::kInvalidInput, [&] { storage_driver(request); });
  EXPECT_EQ(message, "unknown storage driver \"btrfs\": schicht offers \"overlay\" and \"vfs\"");
}

TEST(StorageDriver, NamedMountProgramMustBeAnExecutableFile) {
  DriverRequest request{.root = "/nonexistent/schicht-root",
                        .asked = "overlay",
                        .storage_opts = {"overlay.mount_program=/nonexistent/fuse-overlayfs"}};
  std::string message = error_of(ErrorKind::kInvalidInput, [&] { storage_driver(request); });
  EXPECT_EQ(message,
            "overlay.mount_program \"/nonexistent/fuse-overlayfs\": no executable file there");
  request.storage_opts = {"overlay.mount_program=/etc"};  // a directory
  error_of(ErrorKind::kInvalidInput, [&] { storage_driver(request); });
}

TEST(StorageDriver, NamesAsPodman) {
  EXPECT_EQ(storage_driver_name(StorageDriver::kOverlay), "overlay");
  EXPECT_EQ(storage_driver_name(StorageDriver::kVfs), "vfs");
}

}  // namespace
}  // namespace schicht::containers
