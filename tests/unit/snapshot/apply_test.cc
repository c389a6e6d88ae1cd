#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <string>

#include "snapshot/apply.h"
#include "snapshot_test_util.h"

namespace schicht::snapshot {
namespace {

using test::error_of;
using test::LayerTar;
using test::lstat_of;
using test::names_in;
using test::present;

class Apply : public test::ApplyTest {};

TEST_F(Apply, FilesDirectoriesSymlinksAndHardlinks) {
  std::string tar = LayerTar()
                        .dir("etc", 0755, 1600000000)
                        .file("etc/hosts", "127.0.0.1 localhost\n", 0640, 1600000001)
                        .file("bin/tool", "#!/bin/sh\n", 04755)
                        .symlink("etc/localtime", "/usr/share/zoneinfo/UTC")
                        .hardlink("bin/tool-link", "bin/tool")
                        .finish();
  ApplyStats stats = apply(tar);
  EXPECT_EQ(stats.files, 2u);
  EXPECT_EQ(stats.dirs, 1u);
  EXPECT_EQ(stats.links, 2u);
  EXPECT_EQ(stats.bytes, 30u);

  EXPECT_EQ(read_file(root() / "etc/hosts"), "127.0.0.1 localhost\n");
  struct stat hosts = *lstat_of(root() / "etc/hosts");
  EXPECT_EQ(hosts.st_mode & 07777, 0640u);
  EXPECT_EQ(hosts.st_mtim.tv_sec, 1600000001);
  EXPECT_EQ(lstat_of(root() / "bin/tool")->st_mode & 07777, 04755u);
  EXPECT_EQ(fs::read_symlink(root() / "etc/localtime"), "/usr/share/zoneinfo/UTC");
  EXPECT_EQ(lstat_of(root() / "bin/tool-link")->st_ino, lstat_of(root() / "bin/tool")->st_ino);
  EXPECT_EQ(lstat_of(root() / "bin/tool")->st_nlink, 2u);
  // "bin" had no entry of its own: it was made on the way.
  EXPECT_TRUE(S_ISDIR(lstat_of(root() / "bin")->st_mode));
}

TEST_F(Apply, DirectoryAttributesAreSetAfterTheirChildren) {
  std::string tar = LayerTar()
                        .dir("ro", 0555, 1500000000)
                        .file("ro/a", "a")
                        .dir("ro/sub", 0500, 1500000001)
                        .file("ro/sub/b", "b")
                        .finish();
  apply(tar);
  struct stat ro = *lstat_of(root() / "ro");
  EXPECT_EQ(ro.st_mode & 07777, 0555u);
  EXPECT_EQ(ro.st_mtim.tv_sec, 1500000000);
  EXPECT_EQ(lstat_of(root() / "ro/sub")->st_mode & 07777, 0500u);
  EXPECT_EQ(lstat_of(root() / "ro/sub")->st_mtim.tv_sec, 1500000001);
  EXPECT_EQ(read_file(root() / "ro/sub/b"), "b");
}

TEST_F(Apply, RootEntrySetsTheRootsAttributes) {
  apply(LayerTar().dir("./", 0750, 1400000000).file("./a", "a").finish());
  EXPECT_EQ(lstat_of(root())->st_mode & 07777, 0750u);
  EXPECT_EQ(lstat_of(root())->st_mtim.tv_sec, 1400000000);
  EXPECT_EQ(read_file(root() / "a"), "a");
}

TEST_F(Apply, OwnersAndXattrs) {
  if (::geteuid() != 0) GTEST_SKIP() << "owners can only be set as root";
  TarEntry entry;
  entry.path = "owned";
  entry.type = TarEntry::Type::kFile;
  entry.size = 2;
  entry.mode = 0600;
  entry.uid = 1234;
  entry.gid = 5678;
  entry.mtime_sec = 1300000000;
  entry.mtime_nsec = 123456789;
  entry.xattrs = {{"user.comment", "hello"}, {"trusted.overlay.opaque", "y"}};
  ApplyStats stats = apply(LayerTar().add(entry, "hi").finish(), {.privileged = true});
  struct stat st = *lstat_of(root() / "owned");
  EXPECT_EQ(st.st_uid, 1234u);
  EXPECT_EQ(st.st_gid, 5678u);
  EXPECT_EQ(st.st_mtim.tv_nsec, 123456789);
  char value[16] = {};
  ssize_t n = ::lgetxattr((root() / "owned").c_str(), "user.comment", value, sizeof value);
  if (n < 0 && errno == ENOTSUP) GTEST_SKIP() << "no user xattrs on this filesystem";
  EXPECT_EQ(std::string(value, n > 0 ? n : 0), "hello");
  // overlayfs attributes never reach a snapshot.
  EXPECT_LT(::lgetxattr((root() / "owned").c_str(), "trusted.overlay.opaque", value, 16), 0);
  EXPECT_EQ(stats.xattrs_dropped, 1u);
}

TEST_F(Apply, UnprivilegedApplyKeepsOurOwnership) {
  TarEntry entry;
  entry.path = "owned";
  entry.type = TarEntry::Type::kFile;
  entry.mode = 0644;
  entry.uid = 1234;
  apply(LayerTar().add(entry).finish(), {.privileged = false});
  EXPECT_EQ(lstat_of(root() / "owned")->st_uid, ::geteuid());
}

TEST_F(Apply, ExistingDirectoryOnlyGetsNewAttributes) {
  apply(LayerTar().dir("d").file("d/lower", "lower").finish());
  apply(LayerTar().dir("d", 0700, 1234567).file("d/upper", "upper").finish());
  EXPECT_EQ(names_in(root() / "d"), (std::set<std::string>{"lower", "upper"}));
  EXPECT_EQ(lstat_of(root() / "d")->st_mode & 07777, 0700u);
  EXPECT_EQ(lstat_of(root() / "d")->st_mtim.tv_sec, 1234567);
}

TEST_F(Apply, WhiteoutRemovesALowerFile) {
  apply(LayerTar().file("etc/a", "a").file("etc/b", "b").finish());
  ApplyStats stats = apply(LayerTar().file("etc/.wh.a").finish());
  EXPECT_EQ(stats.whiteouts, 1u);
  EXPECT_EQ(names_in(root() / "etc"), std::set<std::string>{"b"});
}

TEST_F(Apply, WhiteoutRemovesALowerTree) {
  apply(LayerTar().file("usr/share/doc/x/README", "r").symlink("usr/share/doc/x/l", "/").finish());
  apply(LayerTar().file("usr/share/.wh.doc").finish());
  EXPECT_FALSE(present(root() / "usr/share/doc"));
  EXPECT_TRUE(present(root() / "usr/share"));
}

TEST_F(Apply, WhiteoutOfAMissingNameIsHarmless) {
  ApplyStats stats = apply(LayerTar().file("nothing/.wh.here").file(".wh.none").finish());
  EXPECT_EQ(stats.whiteouts, 2u);
  EXPECT_TRUE(names_in(root()).empty());
}

TEST_F(Apply, WhiteoutCannotHideThisLayersFiles) {
  apply(LayerTar().file("x", "lower").file("d/lower", "lower").finish());
  // Producers put whiteouts first; a consumer must give the same result in any order.
  apply(
      LayerTar().file("x", "upper").file(".wh.x").file("d/upper", "upper").file(".wh.d").finish());
  EXPECT_EQ(read_file(root() / "x"), "upper");
  EXPECT_EQ(names_in(root() / "d"), std::set<std::string>{"upper"});
}

class OpaqueOrder : public test::ApplyTest, public ::testing::WithParamInterface<int> {};

TEST_P(OpaqueOrder, HidesLowerChildrenWhereverTheMarkerIs) {
  apply(LayerTar()
            .file("d/old", "old")
            .file("d/sub/old", "old")
            .file("d/keep/old", "old")
            .file("other/stays", "s")
            .finish());
  std::vector<std::function<void(LayerTar&)>> steps = {
      [](LayerTar& t) { t.dir("d"); },
      [](LayerTar& t) { t.file("d/new", "new"); },
      [](LayerTar& t) { t.file("d/keep/new", "new"); },
      [](LayerTar& t) { t.file("d/later", "later"); },
  };
  auto marker = [](LayerTar& t) { t.file("d/.wh..wh..opq"); };
  steps.insert(steps.begin() + GetParam(), marker);
  LayerTar tar;
  for (auto& step : steps) step(tar);
  ApplyStats stats = apply(tar.finish());
  EXPECT_EQ(stats.whiteouts, 1u);
  EXPECT_EQ(names_in(root() / "d"), (std::set<std::string>{"keep", "later", "new"}));
  EXPECT_EQ(names_in(root() / "d/keep"), std::set<std::string>{"new"});
  EXPECT_EQ(names_in(root() / "other"), std::set<std::string>{"stays"});
}

INSTANTIATE_TEST_SUITE_P(Positions, OpaqueOrder, ::testing::Values(0, 1, 2, 3, 4));

TEST_F(Apply, SymlinkReplacedByADirectoryInALaterLayer) {
  apply(LayerTar().dir("usr/lib").file("usr/lib/a", "a").symlink("lib", "usr/lib").finish());
  apply(LayerTar().dir("lib").file("lib/b", "b").finish());
  EXPECT_TRUE(S_ISDIR(lstat_of(root() / "lib")->st_mode));
  EXPECT_EQ(names_in(root() / "lib"), std::set<std::string>{"b"});
  EXPECT_EQ(names_in(root() / "usr/lib"), std::set<std::string>{"a"});
}

TEST_F(Apply, DirectoryReplacedByASymlinkInALaterLayer) {
  apply(LayerTar().file("lib/a", "a").finish());
  apply(LayerTar().symlink("lib", "usr/lib").finish());
  EXPECT_EQ(fs::read_symlink(root() / "lib"), "usr/lib");
}

TEST_F(Apply, DuplicateEntriesLaterWins) {
  apply(LayerTar()
            .file("f", "first")
            .file("f", "second", 0600)
            .dir("d")
            .file("d/child", "c")
            .file("d", "now a file")
            .file("g", "a file")
            .dir("g", 0711)
            .finish());
  EXPECT_EQ(read_file(root() / "f"), "second");
  EXPECT_EQ(lstat_of(root() / "f")->st_mode & 07777, 0600u);
  EXPECT_EQ(read_file(root() / "d"), "now a file");
  EXPECT_TRUE(S_ISDIR(lstat_of(root() / "g")->st_mode));
  EXPECT_EQ(lstat_of(root() / "g")->st_mode & 07777, 0711u);
}

TEST_F(Apply, ReplacingAHardlinkNeverWritesThroughIt) {
  apply(LayerTar().file("a", "original").hardlink("b", "a").finish());
  apply(LayerTar().file("b", "replaced").finish());
  EXPECT_EQ(read_file(root() / "a"), "original");
  EXPECT_EQ(read_file(root() / "b"), "replaced");
  EXPECT_EQ(lstat_of(root() / "a")->st_nlink, 1u);
}

TEST_F(Apply, FifoIsCreatedWithoutPrivileges) {
  ApplyStats stats =
      apply(LayerTar().special("run/pipe", TarEntry::Type::kFifo).finish(), {.privileged = false});
  EXPECT_TRUE(S_ISFIFO(lstat_of(root() / "run/pipe")->st_mode));
  EXPECT_EQ(stats.files, 1u);
}

TEST_F(Apply, DeviceNodesAreSkippedWithoutPrivileges) {
  std::string tar = LayerTar()
                        .special("dev/null", TarEntry::Type::kCharDevice, 1, 3)
                        .special("dev/sda", TarEntry::Type::kBlockDevice, 8, 0)
                        .file("dev/ok", "ok")
                        .finish();
  ApplyStats stats = apply(tar, {.privileged = false});
  EXPECT_EQ(stats.skipped, 2u);
  EXPECT_FALSE(present(root() / "dev/null"));
  EXPECT_FALSE(present(root() / "dev/sda"));
  EXPECT_EQ(read_file(root() / "dev/ok"), "ok");
}

TEST_F(Apply, DeviceNodesAsRoot) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  ApplyStats stats =
      apply(LayerTar().special("dev/null", TarEntry::Type::kCharDevice, 1, 3).finish());
  if (stats.skipped == 1) {  // root without CAP_MKNOD, as in a user namespace
    EXPECT_FALSE(present(root() / "dev/null"));
    return;
  }
  struct stat st = *lstat_of(root() / "dev/null");
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(st.st_rdev, makedev(1, 3));
  EXPECT_EQ(stats.files, 1u);
}

TEST_F(Apply, DeviceNodesCanBeRefusedWithoutPrivileges) {
  std::string tar = LayerTar().special("dev/null", TarEntry::Type::kCharDevice, 1, 3).finish();
  Error e = error_of([&] {
    apply(tar, {.privileged = false, .unprivileged_devices = UnprivilegedDevices::kFail});
  });
  EXPECT_EQ(e.kind(), ErrorKind::kUnsupported);
  EXPECT_STREQ(e.what(),
               "layer sha256:test: tar entry \"dev/null\" is a device node, which only root can "
               "create");
}

TEST_F(Apply, MaxBytesStopsABigFile) {
  std::string tar = LayerTar().file("big", std::string(100000, 'z')).finish();
  std::string message = refused(tar, {.max_bytes = 50000});
  EXPECT_EQ(message, "layer sha256:test: the uncompressed layer exceeds the limit of 50000 bytes");
}

TEST_F(Apply, MaxBytesStopsAFloodOfEntries) {
  LayerTar layer;
  for (int i = 0; i < 200; ++i) layer.file("f" + std::to_string(i));
  std::string message = refused(layer.finish(), {.max_bytes = 20000});
  EXPECT_NE(message.find("exceeds the limit of 20000 bytes"), std::string::npos) << message;
}

TEST_F(Apply, AufsMetadataIsSkippedAndItsHardlinkTargetsResolve) {
  std::string tar = LayerTar()
                        .file(".wh..wh.plnk/123.456", "linked data")
                        .hardlink("usr/bin/x", ".wh..wh.plnk/123.456")
                        .file(".wh..wh.aufs")
                        .dir(".wh..wh.orph")
                        .file(".wh..wh.orph/junk")
                        .finish();
  ApplyStats stats = apply(tar);
  EXPECT_EQ(read_file(root() / "usr/bin/x"), "linked data");
  EXPECT_EQ(names_in(root()), std::set<std::string>{"usr"});
  EXPECT_EQ(stats.skipped, 3u);
}

TEST_F(Apply, TruncatedTarFailsNamingTheLayer) {
  std::string tar = LayerTar().file("a", std::string(5000, 'a')).finish();
  std::string message = refused(tar.substr(0, 2048));
  EXPECT_EQ(message, "layer sha256:test: truncated tar archive");
}

}  // namespace
}  // namespace schicht::snapshot
