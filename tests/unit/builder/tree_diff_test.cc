#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "archive/tar_reader.h"
#include "builder/ignore.h"
#include "builder/tree_diff.h"
#include "core/io.h"

namespace schicht::builder {
namespace {

class TreeDiff : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/tree-diff-XXXXXX";
    ASSERT_NE(::mkdtemp(templ), nullptr);
    root_ = templ;
  }
  void TearDown() override { fs::remove_all(root_); }

  void write(const std::string& rel, const std::string& data) {
    fs::create_directories((root_ / rel).parent_path());
    std::ofstream(root_ / rel) << data;
  }

  // "path type" lines of the diff tar.
  std::vector<std::string> diff(const TreeState& before) {
    StringWriter out;
    write_diff(root_, before, out);
    StringReader in(out.str());
    TarReader tar(in, "diff");
    std::vector<std::string> lines;
    TarEntry e;
    while (tar.next(e)) {
      std::string kind = e.type == TarEntry::Type::kDirectory  ? "dir"
                         : e.type == TarEntry::Type::kSymlink  ? "link:" + e.link_target
                         : e.type == TarEntry::Type::kHardlink ? "hard:" + e.link_target
                                                               : "file";
      lines.push_back(e.path + " " + kind);
    }
    return lines;
  }

  fs::path root_;
};

TEST_F(TreeDiff, NewChangedRemovedAndLinks) {
  write("etc/keep", "same");
  write("etc/change", "old");
  write("gone/deep/file", "x");
  write("bin/tool", "t");
  TreeState before = scan_tree(root_);
  usleep(10000);  // ctime granularity
  write("etc/change", "new");
  write("etc/new", "n");
  fs::remove_all(root_ / "gone");
  fs::remove(root_ / "bin/tool");
  ASSERT_EQ(::symlink("keep", (root_ / "etc/sym").c_str()), 0);
  ASSERT_EQ(::link((root_ / "etc/new").c_str(), (root_ / "etc/new2").c_str()), 0);
  EXPECT_EQ(diff(before), (std::vector<std::string>{
                              ".wh.gone file",
                              "bin/ dir",
                              "bin/.wh.tool file",
                              "etc/ dir",
                              "etc/change file",
                              "etc/new file",
                              "etc/new2 hard:etc/new",
                              "etc/sym link:keep",
                          }));
}

TEST_F(TreeDiff, NothingChangedIsAnEmptyLayer) {
  write("a/b", "x");
  TreeState before = scan_tree(root_);
  EXPECT_TRUE(diff(before).empty());
}

TEST_F(TreeDiff, ChmodIsAChange) {
  write("a", "x");
  TreeState before = scan_tree(root_);
  ASSERT_EQ(::chmod((root_ / "a").c_str(), 0600), 0);
  EXPECT_EQ(diff(before), (std::vector<std::string>{"a file"}));
}

TEST(Ignore, DockerPatterns) {
  IgnoreRules rules = IgnoreRules::parse("# comment\n*.log\nbuild/\n!build/keep\n**/tmp\n");
  EXPECT_TRUE(rules.ignored("x.log"));
  EXPECT_FALSE(rules.ignored("sub/x.log"));  // * stays in one component
  EXPECT_TRUE(rules.ignored("build/out.o"));
  EXPECT_FALSE(rules.ignored("build/keep"));
  EXPECT_TRUE(rules.ignored("a/b/tmp/c"));
  EXPECT_TRUE(rules.ignored("tmp"));
  EXPECT_FALSE(rules.ignored("src/main.c"));
}

}  // namespace
}  // namespace schicht::builder
