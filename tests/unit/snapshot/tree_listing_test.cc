// TreeListing against the tree apply.h really makes from the same layers: every path, its type,
// permissions and size (and mtime for all but directories) must agree, and tree_changes must
// report what containers/storage's ChangesDirs reports.
#include "snapshot/tree_listing.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <map>
#include <string>
#include <vector>

#include "snapshot_test_util.h"

namespace schicht::snapshot {
namespace {

using test::LayerTar;

class Listing : public test::ApplyTest {
 protected:
  // Applies each layer to the real tree and to `listing`.
  void both(const std::string& tar) {
    apply(tar);
    StringReader reader(tar);
    listing.apply(reader, "test layer");
  }

  // What lstat shows of the real tree, in FileMeta terms.
  std::map<std::string, FileMeta> scan() const {
    std::map<std::string, FileMeta> out;
    for (const auto& entry : fs::recursive_directory_iterator(root())) {
      struct stat st {};
      EXPECT_EQ(::lstat(entry.path().c_str(), &st), 0);
      FileMeta m;
      m.mode = st.st_mode;
      m.size = S_ISDIR(st.st_mode) ? 0 : static_cast<uint64_t>(st.st_size);
      m.mtime_sec = S_ISDIR(st.st_mode) ? 0 : st.st_mtim.tv_sec;
      out[entry.path().lexically_relative(root()).string()] = m;
    }
    return out;
  }

  void expect_same_tree() const {
    auto real = scan();
    std::vector<std::string> real_paths, listed_paths;
    for (const auto& [path, meta] : real) real_paths.push_back(path);
    for (const auto& [path, meta] : listing.files()) listed_paths.push_back(path);
    ASSERT_EQ(listed_paths, real_paths);
    for (const auto& [path, meta] : listing.files()) {
      const FileMeta& r = real.at(path);
      EXPECT_EQ(meta.mode, r.mode) << path;
      if (!S_ISDIR(meta.mode)) {
        EXPECT_EQ(meta.size, r.size) << path;
        EXPECT_EQ(meta.mtime_sec, r.mtime_sec) << path;
      }
    }
  }

  TreeListing listing;
};

TEST_F(Listing, FilesDirectoriesLinksAndImplicitParents) {
  both(LayerTar()
           .dir("etc", 0750)
           .file("etc/hosts", "127.0.0.1\n", 0640)
           .file("bin/tool", "#!/bin/sh\n", 04755)
           .symlink("etc/localtime", "/usr/share/zoneinfo/UTC")
           .hardlink("bin/tool-link", "bin/tool")
           .finish());
  expect_same_tree();
}

TEST_F(Listing, WhiteoutsAndOpaqueDirectoriesHideLowerLayersOnly) {
  both(LayerTar()
           .file("x", "lower")
           .file("d/lower", "lower")
           .file("o/old", "old")
           .file("o/sub/old", "old")
           .file("gone/deep/file", "f")
           .finish());
  both(LayerTar()
           .file("x", "upper!")
           .file(".wh.x")
           .file("d/upper", "upper")
           .file(".wh.d")
           .file("o/new", "new")
           .file("o/.wh..wh..opq")
           .file(".wh.gone")
           .finish());
  expect_same_tree();
}

TEST_F(Listing, ReplacementsBetweenTypes) {
  both(LayerTar()
           .file("file2dir", "f")
           .dir("dir2file")
           .file("dir2file/child", "c")
           .file("link2file", "t")
           .symlink("l", "link2file")
           .finish());
  both(LayerTar()
           .dir("file2dir")
           .file("file2dir/in", "i")
           .file("dir2file", "now a file")
           .file("l", "no longer a link")
           .finish());
  expect_same_tree();
}

TEST(TreeChanges, AsChangesDirsReportsThem) {
  TreeListing from, to;
  auto feed = [](TreeListing& l, const std::string& tar) {
    StringReader reader(tar);
    l.apply(reader, "layer");
  };
  std::string base = LayerTar()
                         .file("a/same", "s")
                         .file("a/size", "1")
                         .file("a/mode", "m")
                         .dir("gone")
                         .file("gone/deep/file", "d")
                         .dir("f")
                         .file("f/child", "c")
                         .finish();
  feed(from, base);
  feed(to, base);
  feed(to, LayerTar()
               .file("a/size", "22")
               .file("a/mode", "m", 0600)
               .file(".wh.gone")
               .file("f", "a file now")
               .file("new/dir/file", "n")
               .finish());
  std::vector<std::string> got;
  for (const auto& c : tree_changes(from, to)) {
    char kind = c.kind == TreeChange::Kind::kAdd      ? 'A'
                : c.kind == TreeChange::Kind::kDelete ? 'D'
                                                      : 'C';
    got.push_back(std::string(1, kind) + " " + c.path);
  }
  // Beneath a deleted directory and beneath what a file replaced, nothing is listed.
  EXPECT_EQ(got, (std::vector<std::string>{"C /a", "C /a/mode", "C /a/size", "C /f", "D /gone",
                                           "A /new", "A /new/dir", "A /new/dir/file"}));
  EXPECT_TRUE(tree_changes(from, from).empty());
}

}  // namespace
}  // namespace schicht::snapshot
