// upper_diff against tree_diff: the same changes made in a full copy of a tree and in a kernel
// overlay of it give the same layer bytes (needs root and overlayfs; skipped otherwise).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <functional>

#include "archive/tar_reader.h"
#include "builder/tree_diff.h"
#include "builder/upper_diff.h"
#include "core/error.h"
#include "core/io.h"
#include "snapshot/overlay_form.h"
#include "snapshot/overlay_mount.h"
#include "snapshot/tree_copy.h"

namespace schicht::builder {
namespace {

void write(const fs::path& file, const std::string& data) {
  fs::create_directories(file.parent_path());
  std::ofstream(file) << data;
}

UniqueFd open_dir(const fs::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) fail_errno("open", path.string());
  return fd;
}

std::vector<std::string> listing(const std::string& tar_bytes) {
  StringReader in(tar_bytes);
  TarReader tar(in, "layer");
  std::vector<std::string> lines;
  TarEntry e;
  while (tar.next(e)) lines.push_back(e.path);
  return lines;
}

class UpperDiff : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "mounting overlayfs needs root";
    char templ[] = "/tmp/upper-diff-XXXXXX";
    ASSERT_NE(::mkdtemp(templ), nullptr);
    dir_ = templ;
    for (const char* d : {"lower", "lower2", "full", "upper", "work", "merged"}) {
      fs::create_directories(dir_ / d);
    }
    const fs::path lower = dir_ / "lower";
    write(lower / "etc/keep", "keep");
    write(lower / "etc/change", "old");
    write(lower / "etc/gone", "gone");
    write(lower / "etc/owned", "o");
    write(lower / "old/deep/file", "x");
    write(lower / "bin/tool", "t");
    write(lower / "a/b/file", "b");
    write(lower / "var/log/x", "x");
    write(lower / "replaced/one", "1");
    write(lower / "replaced/two", "2");
    write(lower / "replaced/sub/old", "o");
    write(lower / "hidden", "h");
    // lower2, above lower: removes /hidden (so the step cannot remove it again).
    UniqueFd top = open_dir(dir_ / "lower2");
    snapshot::make_whiteout(top.get(), "hidden", "hidden");
    usleep(20000);
  }
  void TearDown() override {
    if (dir_.empty()) return;
    ::umount2((dir_ / "merged").c_str(), MNT_DETACH);
    fs::remove_all(dir_);
  }

  // Runs `step` on a full copy of the lowers and on their overlay; returns both layers.
  std::pair<std::string, std::string> both(const std::function<void(const fs::path&)>& step) {
    std::vector<fs::path> lowers{dir_ / "lower", dir_ / "lower2"};
    UniqueFd full = open_dir(dir_ / "full");
    snapshot::flatten_diffs(lowers, full.get(), true);
    TreeState before = scan_tree(dir_ / "full");
    try {
      snapshot::mount_overlay(
          {.lowers = lowers, .upper = dir_ / "upper", .work = dir_ / "work", .plain_upper = true},
          dir_ / "merged");
    } catch (const Error& e) {
      skipped_ = e.what();
      return {};
    }
    step(dir_ / "full");
    step(dir_ / "merged");
    ::umount2((dir_ / "merged").c_str(), MNT_DETACH);
    DiffOptions options{.mtime = 1700000000};
    StringWriter from_tree, from_upper;
    write_diff(dir_ / "full", before, from_tree, options);
    write_upper_diff(dir_ / "upper", lowers, from_upper, options);
    return {from_tree.str(), from_upper.str()};
  }

  fs::path dir_;
  std::string skipped_;
};

TEST_F(UpperDiff, SameBytesAsTreeDiff) {
  auto [tree, upper] = both([](const fs::path& root) {
    write(root / "etc/new", "n");
    write(root / "etc/change", "new");
    fs::remove(root / "etc/gone");
    fs::remove_all(root / "old");
    // Opened for writing, left as it was: copied up, but no change.
    { UniqueFd f(::open((root / "etc/keep").c_str(), O_WRONLY | O_CLOEXEC)); }
    ASSERT_EQ(::lchown((root / "etc/owned").c_str(), 1000, 1000), 0);
    ASSERT_EQ(::chmod((root / "var").c_str(), 0700), 0);
    ASSERT_EQ(::symlink("tool", (root / "bin/link").c_str()), 0);
    ASSERT_EQ(::link((root / "bin/tool").c_str(), (root / "bin/tool2").c_str()), 0);
    write(root / "a/b/c/f", "deep");
    write(root / "hidden", "again");
  });
  if (!skipped_.empty()) GTEST_SKIP() << skipped_;
  EXPECT_EQ(listing(upper), listing(tree));
  EXPECT_EQ(upper, tree);
  EXPECT_EQ(listing(upper),
            (std::vector<std::string>{".wh.old", "a/", "a/b/", "a/b/c/", "a/b/c/f", "bin/",
                                      "bin/link", "bin/tool2", "etc/", "etc/.wh.gone", "etc/change",
                                      "etc/new", "etc/owned", "hidden", "var/"}));
}

TEST_F(UpperDiff, NothingChangedIsAnEmptyLayer) {
  auto [tree, upper] = both([](const fs::path& root) {
    { UniqueFd f(::open((root / "var/log/x").c_str(), O_WRONLY | O_CLOEXEC)); }
  });
  if (!skipped_.empty()) GTEST_SKIP() << skipped_;
  EXPECT_TRUE(listing(upper).empty());
  EXPECT_TRUE(upper == tree);
}

// overlayfs makes the new directory opaque; the layer whites out each child it lost, in it and
// in the directories beneath it that were directories before, as tree_diff does.
TEST_F(UpperDiff, ADirectoryRemovedAndMadeAgainWhitesOutWhatItLost) {
  auto [tree, upper] = both([](const fs::path& root) {
    fs::remove_all(root / "replaced");
    write(root / "replaced/three", "3");
    write(root / "replaced/sub/new", "n");
  });
  if (!skipped_.empty()) GTEST_SKIP() << skipped_;
  EXPECT_EQ(upper, tree);
  EXPECT_EQ(listing(upper),
            (std::vector<std::string>{"replaced/", "replaced/.wh.one", "replaced/.wh.two",
                                      "replaced/sub/", "replaced/sub/.wh.old", "replaced/sub/new",
                                      "replaced/three"}));
}

}  // namespace
}  // namespace schicht::builder
