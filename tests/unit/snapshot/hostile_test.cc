// Layers that try to reach outside the root. Each must be refused with a message naming the
// entry, and the sentinel files beside the root must be exactly as they were.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>

#include "snapshot/apply.h"
#include "snapshot_test_util.h"

namespace schicht::snapshot {
namespace {

using test::LayerTar;
using test::lstat_of;
using test::present;

class Hostile : public test::ApplyTest {
 protected:
  void TearDown() override { expect_outside_untouched(); }

  // The message of a refusal, which must name the layer and the entry.
  std::string refusal(const std::string& tar, std::string_view entry) {
    std::string message = refused(tar);
    EXPECT_TRUE(message.starts_with("layer sha256:test: tar entry \"" + std::string(entry) + "\""))
        << message;
    return message;
  }
};

TEST_F(Hostile, DotDotPath) {
  std::string message = refusal(LayerTar().file("../escape", "x").finish(), "../escape");
  EXPECT_EQ(message, "layer sha256:test: tar entry \"../escape\" escapes the root");
}

TEST_F(Hostile, DotDotInsideAPath) {
  refusal(LayerTar().file("a/../../escape", "x").finish(), "a/../../escape");
  EXPECT_FALSE(present(root() / "a"));
}

TEST_F(Hostile, AbsolutePath) {
  std::string path = (outside() / "abs").string();
  std::string message = refusal(LayerTar().file(path, "x").finish(), path);
  EXPECT_NE(message.find("escapes the root"), std::string::npos);
}

TEST_F(Hostile, FileThroughASymlinkToOutside) {
  std::string tar =
      LayerTar().symlink("evil", outside().string()).file("evil/file", "pwned").finish();
  std::string message = refusal(tar, "evil/file");
  EXPECT_EQ(message,
            "layer sha256:test: tar entry \"evil/file\" escapes the root through a symlink at "
            "\"evil\"");
}

TEST_F(Hostile, DirectoryThroughASymlinkPlantedByALowerLayer) {
  apply(LayerTar().dir("a").symlink("a/evil", "../../outside").finish());
  std::string message = refusal(LayerTar().dir("a/evil/sub").finish(), "a/evil/sub/");
  EXPECT_NE(message.find("through a symlink at \"a/evil\""), std::string::npos) << message;
}

TEST_F(Hostile, SymlinkThroughASymlink) {
  std::string tar =
      LayerTar().symlink("evil", outside().string()).symlink("evil/link", "/etc/shadow").finish();
  refusal(tar, "evil/link");
}

TEST_F(Hostile, HardlinkThroughASymlink) {
  std::string tar = LayerTar().symlink("evil", outside().string()).hardlink("evil/h", "x").finish();
  refusal(tar, "evil/h");
}

TEST_F(Hostile, FileReplacingASymlinkDoesNotWriteThroughIt) {
  apply(LayerTar().symlink("evil", (outside() / "secret").string()).finish());
  apply(LayerTar().file("evil", "replaced").finish());
  EXPECT_TRUE(S_ISREG(lstat_of(root() / "evil")->st_mode));
  EXPECT_EQ(read_file(root() / "evil"), "replaced");
}

TEST_F(Hostile, DirectoryEntryReplacesASymlinkInsteadOfFollowingIt) {
  mode_t before = lstat_of(outside())->st_mode;
  apply(LayerTar().symlink("evil", outside().string()).finish());
  apply(LayerTar().dir("evil", 0700, 1000).file("evil/inside", "i").finish());
  EXPECT_TRUE(S_ISDIR(lstat_of(root() / "evil")->st_mode));
  EXPECT_EQ(read_file(root() / "evil/inside"), "i");
  EXPECT_EQ(lstat_of(outside())->st_mode, before);
}

TEST_F(Hostile, HardlinkToDotDot) {
  struct stat before = *lstat_of("/etc/passwd");
  std::string tar = LayerTar().hardlink("passwd", "../../etc/passwd").finish();
  std::string message = refusal(tar, "passwd");
  EXPECT_EQ(message,
            "layer sha256:test: tar entry \"passwd\" links to \"../../etc/passwd\", which escapes "
            "the root");
  EXPECT_EQ(lstat_of("/etc/passwd")->st_nlink, before.st_nlink);
  EXPECT_FALSE(present(root() / "passwd"));
}

TEST_F(Hostile, HardlinkToAnAbsolutePath) {
  refusal(LayerTar().hardlink("secret", (outside() / "secret").string()).finish(), "secret");
}

TEST_F(Hostile, HardlinkThroughASymlinkedDirectory) {
  std::string tar =
      LayerTar().symlink("dir", outside().string()).hardlink("stolen", "dir/secret").finish();
  std::string message = refusal(tar, "stolen");
  EXPECT_EQ(message,
            "layer sha256:test: tar entry \"stolen\" links to \"dir/secret\", which escapes the "
            "root through a symlink at \"dir\"");
  EXPECT_FALSE(present(root() / "stolen"));
}

TEST_F(Hostile, HardlinkToASymlinkLinksTheSymlinkItself) {
  std::string tar =
      LayerTar().symlink("link", (outside() / "secret").string()).hardlink("h", "link").finish();
  apply(tar);
  EXPECT_TRUE(S_ISLNK(lstat_of(root() / "h")->st_mode));
}

TEST_F(Hostile, HardlinkToAMissingFile) {
  std::string message = refusal(LayerTar().hardlink("h", "nowhere/nothing").finish(), "h");
  EXPECT_NE(message.find("does not exist"), std::string::npos);
}

TEST_F(Hostile, WhiteoutWithDotDot) {
  std::string message = refusal(LayerTar().file("../.wh.x").finish(), "../.wh.x");
  EXPECT_NE(message.find("escapes the root"), std::string::npos);
}

TEST_F(Hostile, WhiteoutNamingDotDot) {
  // ".wh..." whites out "..": the parent of the directory it is in.
  refusal(LayerTar().file(".wh...").finish(), ".wh...");
  refusal(LayerTar().dir("sub").file("sub/.wh...").finish(), "sub/.wh...");
  refusal(LayerTar().file("sub/.wh.").finish(), "sub/.wh.");
}

TEST_F(Hostile, WhiteoutThroughASymlink) {
  std::string tar = LayerTar().symlink("evil", outside().string()).file("evil/.wh.secret").finish();
  std::string message = refusal(tar, "evil/.wh.secret");
  EXPECT_NE(message.find("through a symlink at \"evil\""), std::string::npos);
}

TEST_F(Hostile, OpaqueMarkerThroughASymlink) {
  apply(LayerTar().symlink("evil", outside().string()).finish());
  refusal(LayerTar().file("evil/.wh..wh..opq").finish(), "evil/.wh..wh..opq");
}

TEST_F(Hostile, WhiteoutOfASymlinkRemovesOnlyTheLink) {
  apply(LayerTar().symlink("evil", outside().string()).finish());
  apply(LayerTar().file(".wh.evil").finish());
  EXPECT_FALSE(present(root() / "evil"));
}

TEST_F(Hostile, OpaqueRootRemovesSymlinksWithoutFollowing) {
  apply(LayerTar().symlink("evil", outside().string()).symlink("up", "..").finish());
  apply(LayerTar().file(".wh..wh..opq").file("new", "n").finish());
  EXPECT_EQ(test::names_in(root()), std::set<std::string>{"new"});
}

TEST_F(Hostile, EntryBeneathAWhiteout) {
  refusal(LayerTar().file("a/.wh.b/c", "x").finish(), "a/.wh.b/c");
}

TEST_F(Hostile, NestedTooDeep) {
  std::string path;
  for (int i = 0; i < 600; ++i) path += "d/";
  path += "f";
  std::string message = refusal(LayerTar().file(path, "x").finish(), path);
  EXPECT_NE(message.find("nested deeper than 512"), std::string::npos);
}

TEST_F(Hostile, InvalidOwner) {
  TarEntry entry;
  entry.path = "f";
  entry.type = TarEntry::Type::kFile;
  entry.uid = 4294967295;
  std::string message = refusal(LayerTar().add(entry).finish(), "f");
  EXPECT_NE(message.find("invalid owner"), std::string::npos);
}

TEST_F(Hostile, ReplacingTheRoot) {
  refusal(LayerTar().file(".", "x").finish(), ".");
  refusal(LayerTar().symlink(".", "/").finish(), ".");
}

}  // namespace
}  // namespace schicht::snapshot
