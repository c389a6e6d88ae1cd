// resolve_dir_in_root(): symlinks are followed as a process chrooted to the root sees them,
// and no link, however it is written, reaches a directory outside the root.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "core/fs.h"
#include "snapshot/safe_tree.h"

namespace schicht::snapshot {
namespace {

class ResolveInRoot : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = scratch_.path() / "root";
    outside_ = scratch_.path() / "outside";
    fs::create_directories(root_ / "opt/bin");
    fs::create_directories(root_ / "data");
    fs::create_directories(outside_);
    write_file_atomic(root_ / "data/file", "x", 0644);
    fd_.reset(::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    ASSERT_TRUE(fd_);
  }
  void link(const std::string& at, const std::string& target) {
    fs::create_directory_symlink(target, root_ / at);
  }
  // The directory a walk ended at, as a path below the scratch area.
  std::string where(const WalkResult& walk) {
    EXPECT_EQ(walk.status, WalkStatus::kOk) << walk.stopped_at;
    if (!walk.fd) return "";
    return fs::read_symlink(fmt_fd(walk.fd.get()))
        .lexically_relative(fs::canonical(scratch_.path()))
        .string();
  }
  static std::string fmt_fd(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

  TempDir scratch_{temp_root(), "resolve-test"};
  fs::path root_, outside_;
  UniqueFd fd_;
};

TEST_F(ResolveInRoot, AbsoluteLinkResolvesAtTheRoot) {
  link("bin", "/opt/bin");
  EXPECT_EQ(where(resolve_dir_in_root(fd_.get(), "bin", false)), "root/opt/bin");
}

TEST_F(ResolveInRoot, DotDotInALinkStopsAtTheRoot) {
  link("up", "../../../../outside");
  auto walk = resolve_dir_in_root(fd_.get(), "up", true);
  EXPECT_EQ(where(walk), "root/outside");
  EXPECT_TRUE(fs::is_empty(outside_));
}

TEST_F(ResolveInRoot, DotDotInThePathStopsAtTheRoot) {
  EXPECT_EQ(where(resolve_dir_in_root(fd_.get(), "data/../../../opt", false)), "root/opt");
}

TEST_F(ResolveInRoot, RelativeLinkThroughAnotherLink) {
  link("opt/rel", "../data");
  link("l", "opt/rel");
  EXPECT_EQ(where(resolve_dir_in_root(fd_.get(), "l", false)), "root/data");
}

TEST_F(ResolveInRoot, AbsoluteLinkToTheHostRootStaysInside) {
  link("host", "/");
  link("hostetc", "/../../../etc");
  EXPECT_EQ(where(resolve_dir_in_root(fd_.get(), "host", false)), "root");
  EXPECT_EQ(where(resolve_dir_in_root(fd_.get(), "hostetc", true)), "root/etc");
}

TEST_F(ResolveInRoot, DanglingLinkTargetIsCreatedInside) {
  link("dangling", "/made/here");
  auto walk = resolve_dir_in_root(fd_.get(), "dangling/sub", true);
  EXPECT_EQ(where(walk), "root/made/here/sub");
  EXPECT_FALSE(fs::exists(outside_ / "made"));
}

TEST_F(ResolveInRoot, MissingWithoutCreate) {
  link("dangling", "/nowhere");
  auto walk = resolve_dir_in_root(fd_.get(), "dangling/x", false);
  EXPECT_EQ(walk.status, WalkStatus::kMissing);
  EXPECT_EQ(walk.stopped_at, "nowhere");
}

TEST_F(ResolveInRoot, LinkToAFileIsNotADirectory) {
  link("f", "/data/file");
  auto walk = resolve_dir_in_root(fd_.get(), "f/x", true);
  EXPECT_EQ(walk.status, WalkStatus::kNotDirectory);
  EXPECT_EQ(walk.stopped_at, "data/file");
}

TEST_F(ResolveInRoot, LinkLoopIsReported) {
  link("a", "b");
  link("b", "a");
  auto walk = resolve_dir_in_root(fd_.get(), "a/x", true);
  EXPECT_EQ(walk.status, WalkStatus::kLoop);
}

TEST_F(ResolveInRoot, ALinkInAHostDirectoryAboveTheRootIsNeverSeen) {
  // The root itself may be reached through anything; only what is beneath it is resolved.
  link("out", "../outside");
  auto walk = resolve_dir_in_root(fd_.get(), "out/new", true);
  EXPECT_EQ(where(walk), "root/outside/new");
  EXPECT_FALSE(fs::exists(outside_ / "new"));
}

}  // namespace
}  // namespace schicht::snapshot
