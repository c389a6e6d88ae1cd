#include "builder/emulation.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace schicht::builder {
namespace {

const Platform kHost{.os = "linux", .architecture = "amd64"};

std::string error_of(const Platform& platform, const fs::path& dir) {
  try {
    require_runnable(platform, kHost, dir);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUnsupported);
    return e.what();
  }
  return "runnable";
}

class EmulationTest : public ::testing::Test {
 protected:
  EmulationTest() : dir_(fs::temp_directory_path(), "schicht-binfmt-test") {}
  void entry(const std::string& name, const std::string& text) {
    write_file_atomic(dir_.path() / name, text);
  }
  TempDir dir_;
};

TEST_F(EmulationTest, NativePlatformsNeedNoEmulator) {
  EXPECT_EQ(error_of({.os = "linux", .architecture = "amd64"}, dir_.path()), "runnable");
  EXPECT_EQ(error_of({.os = "linux", .architecture = "386"}, dir_.path()), "runnable");
}

TEST_F(EmulationTest, ForeignPlatformsNeedAnEnabledEmulatorThatFixesItsBinary) {
  Platform arm64{.os = "linux", .architecture = "arm64"};
  EXPECT_EQ(error_of(arm64, dir_.path()),
            "cannot run programs for linux/arm64 on this linux/amd64 machine: no emulator "
            "qemu-aarch64 is registered in " +
                dir_.path().string() + " (install qemu-user-static, or build without RUN steps)");
  entry("qemu-aarch64",
        "enabled\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\n"
        "flags: P\noffset 0\n");
  EXPECT_NE(error_of(arm64, dir_.path()).find("without the F (fix binary) flag"),
            std::string::npos);
  entry("qemu-aarch64", "disabled\ninterpreter /usr/bin/qemu-aarch64-static\nflags: F\n");
  EXPECT_NE(error_of(arm64, dir_.path()).find("no emulator qemu-aarch64"), std::string::npos);
  entry("qemu-aarch64", "enabled\ninterpreter /usr/bin/qemu-aarch64-static\nflags: OCF\n");
  EXPECT_EQ(error_of(arm64, dir_.path()), "runnable");
}

TEST_F(EmulationTest, PlatformsNoEmulatorCanRun) {
  EXPECT_EQ(error_of({.os = "windows", .architecture = "amd64"}, dir_.path()),
            "cannot run programs for windows/amd64 on this linux/amd64 machine: RUN needs a "
            "linux image");
  EXPECT_EQ(error_of({.os = "linux", .architecture = "wasm"}, dir_.path()),
            "cannot run programs for linux/wasm on this linux/amd64 machine: qemu has no "
            "user-mode emulator for wasm");
  EXPECT_EQ(qemu_binfmt_name("arm64"), "qemu-aarch64");
  EXPECT_EQ(qemu_binfmt_name("mips64le"), "qemu-mips64el");
}

}  // namespace
}  // namespace schicht::builder
