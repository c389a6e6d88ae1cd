// Diff snapshots: each layer extracted alone with overlay whiteouts and opaque directories, and
// flattening a stack of them gives the tree that applying the layers one onto another gives.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "snapshot/overlay_form.h"
#include "snapshot/overlay_mount.h"
#include "snapshot/snapshotter.h"
#include "snapshot/tree_copy.h"
#include "snapshot_test_util.h"

namespace schicht::snapshot {
namespace {

using test::LayerTar;
using test::lstat_of;
using test::names_in;
using test::present;

// What a tree holds, one line per path: type, mode, owner, size, device, mtime (but the
// root's), content or link target, xattrs but overlay's, and which earlier path a hardlink
// shares its inode with.
std::map<std::string, std::string> describe(const fs::path& root) {
  std::map<std::string, std::string> out;
  std::map<std::pair<dev_t, ino_t>, std::string> inodes;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator();
       ++it) {
    fs::path path = it->path();
    std::string rel = path.lexically_relative(root).string();
    struct stat st = *lstat_of(path);
    std::string line = fmt::format("{:o} {}:{} {} {}", st.st_mode, st.st_uid, st.st_gid,
                                   S_ISDIR(st.st_mode) ? 0 : st.st_size, st.st_rdev);
    if (!S_ISDIR(st.st_mode)) line += fmt::format(" t={}", st.st_mtim.tv_sec);
    if (S_ISREG(st.st_mode)) line += " " + read_file(path);
    if (S_ISLNK(st.st_mode)) line += " -> " + fs::read_symlink(path).string();
    if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
      auto [found, first] = inodes.try_emplace({st.st_dev, st.st_ino}, rel);
      if (!first) line += " linked to " + found->second;
    }
    char names[1024];
    ssize_t n = ::llistxattr(path.c_str(), names, sizeof names);
    for (ssize_t i = 0; i < n; i += static_cast<ssize_t>(std::strlen(names + i)) + 1) {
      std::string name(names + i);
      if (name.find(".overlay.") == std::string::npos) line += " xattr:" + name;
    }
    out[rel] = line;
  }
  return out;
}

class DiffTest : public ::testing::Test {
 protected:
  DiffTest() : base_(fs::temp_directory_path(), "schicht-diff-test") {}

  UniqueFd open_dir(const fs::path& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    EXPECT_TRUE(fd) << path;
    return fd;
  }

  // Applies `layers` one onto another into full/, and each alone as a diff into diffN/, which
  // are then flattened into flat/.
  void apply_both_ways(const std::vector<std::string>& layers) {
    make_dirs(full(), 0755);
    make_dirs(flat(), 0755);
    for (size_t i = 0; i < layers.size(); ++i) {
      StringReader whole(layers[i]);
      apply_layer(whole, full(), {.name = "layer"});
      fs::path diff = base_.path() / fmt::format("diff{}", i);
      make_dirs(diff, 0755);
      StringReader alone(layers[i]);
      apply_layer(alone, diff, {.name = "layer", .as_diff = true, .lowers = diffs_});
      expect_unpacked_alike(layers[i], diff);
      diffs_.push_back(diff);
    }
    UniqueFd to = open_dir(flat());
    flatten_diffs(diffs_, to.get(), ::geteuid() == 0);
  }

  // Unpacked before its lowers are known (as pull --unpack does), then given their directory
  // attributes, a layer that needs no lower file is the diff applying with the lowers gives.
  void expect_unpacked_alike(const std::string& layer, const fs::path& diff) {
    fs::path early = base_.path() / fmt::format("early{}", diffs_.size());
    make_dirs(early, 0755);
    StringReader reader(layer);
    ApplyStats stats =
        apply_layer(reader, early, {.name = "layer", .as_diff = true, .lowers_unknown = true});
    if (stats.needs_lowers != 0) {
      ++needed_lowers_;
      return;
    }
    ASSERT_TRUE(apply_implied_dirs(early, stats.implied_dirs, diffs_, {}));
    EXPECT_EQ(describe(early), describe(diff));
    for (const std::string& dir : stats.implied_dirs) {
      struct stat want = *lstat_of(diff / dir), got = *lstat_of(early / dir);
      EXPECT_EQ(got.st_mode, want.st_mode) << dir;
      // A time from a layer's tar, not one of making the directory here.
      if (want.st_mtim.tv_sec < 1'750'000'000) {
        EXPECT_EQ(got.st_mtim.tv_sec, want.st_mtim.tv_sec) << dir;
      }
    }
  }

  fs::path full() const { return base_.path() / "full"; }
  fs::path flat() const { return base_.path() / "flat"; }

  TempDir base_;
  std::vector<fs::path> diffs_;
  int needed_lowers_ = 0;  // layers that could not be unpacked before their lowers
};

TEST_F(DiffTest, WhiteoutsBecomeCharacterDevicesAndOpaqueMarkersAnXattr) {
  apply_both_ways({
      LayerTar().dir("etc").file("etc/a", "a").dir("opt").file("opt/x", "x").finish(),
      LayerTar()
          .dir("etc")
          .file("etc/.wh.a")
          .file("etc/.wh.never")
          .dir("opt")
          .file("opt/.wh..wh..opq")
          .file("opt/y", "y")
          .finish(),
  });
  struct stat a = *lstat_of(diffs_[1] / "etc/a");
  EXPECT_TRUE(S_ISCHR(a.st_mode));
  EXPECT_EQ(a.st_rdev, makedev(0, 0));
  EXPECT_TRUE(is_whiteout(*lstat_of(diffs_[1] / "etc/never")));
  UniqueFd opt = open_dir(diffs_[1] / "opt");
  EXPECT_TRUE(is_opaque(opt.get()));
  UniqueFd etc = open_dir(diffs_[1] / "etc");
  EXPECT_FALSE(is_opaque(etc.get()));
  char value[4];
  const char* xattr = ::geteuid() == 0 ? "trusted.overlay.opaque" : "user.overlay.opaque";
  if (::getxattr((diffs_[1] / "opt").c_str(), xattr, value, sizeof value) == 1) {
    EXPECT_EQ(value[0], 'y');
  } else {
    EXPECT_TRUE(present(diffs_[1] / "opt" / std::string(kOpaqueMarkerFile)));
  }
  EXPECT_EQ(names_in(diffs_[1] / "opt"), std::set<std::string>{"y"});
  EXPECT_EQ(names_in(flat() / "etc"), std::set<std::string>{});
  EXPECT_EQ(names_in(flat() / "opt"), std::set<std::string>{"y"});
  EXPECT_EQ(describe(flat()), describe(full()));
}

TEST_F(DiffTest, FlattenGivesTheTreeApplyingTheLayersGives) {
  apply_both_ways({
      LayerTar()
          .dir("a", 0750, 1600000000)
          .file("a/f", "one")
          .dir("a/sub")
          .file("a/sub/deep", "deep")
          .file("file-then-dir", "f")
          .dir("dir-then-file")
          .file("dir-then-file/inside", "i")
          .file("linked", "shared", 0600)
          .hardlink("linked2", "linked")
          .symlink("sym", "a/f")
          .dir("gone")
          .file("gone/x", "x")
          .file("kept", "k")
          .finish(),
      LayerTar()
          .dir("a", 0700, 1600000001)
          .file("a/f", "two")
          .file("a/sub/.wh.deep")
          .dir("file-then-dir")
          .file("file-then-dir/new", "n")
          .file("dir-then-file", "now a file")
          .file(".wh.gone")
          .file("fresh", "fresh")
          .hardlink("fresh-link", "fresh")
          .finish(),
      LayerTar()
          // Whited out and made again in one layer: only this layer's content shows.
          .file(".wh.file-then-dir")
          .dir("file-then-dir")
          .file("file-then-dir/newer", "m")
          .dir("gone")
          .file("gone/back", "b")
          .file("linked", "changed")
          .file(".wh.sym")
          .file(".wh..wh..opq")
          .file("kept", "k2")
          .dir("a")
          .file("a/f", "three")
          .finish(),
  });
  EXPECT_EQ(describe(flat()), describe(full()));
  EXPECT_EQ(read_file(flat() / "a/f"), "three");
  EXPECT_FALSE(present(flat() / "fresh"));  // the opaque root hides everything below
  EXPECT_EQ(names_in(flat() / "file-then-dir"), std::set<std::string>{"newer"});
}

TEST_F(DiffTest, FileReplacedByADirectoryAndBack) {
  apply_both_ways({
      LayerTar().dir("x").file("x/old", "o").file("y", "y").finish(),
      LayerTar().file("x", "file now").dir("y").file("y/in", "in").finish(),
      LayerTar().dir("x").file("x/new", "n").file("y", "file again").finish(),
  });
  EXPECT_EQ(describe(flat()), describe(full()));
  // The file in between stops the merge with the first layer's directory, in overlayfs as in
  // flatten_diffs: no opaque marker is needed.
  UniqueFd x = open_dir(diffs_[2] / "x");
  EXPECT_FALSE(is_opaque(x.get()));
  EXPECT_EQ(names_in(flat() / "x"), std::set<std::string>{"new"});
}

TEST_F(DiffTest, HardlinksWithinALayerStayLinked) {
  apply_both_ways({
      LayerTar().file("a", "1").hardlink("b", "a").hardlink("c", "a").finish(),
      LayerTar().file("a", "2").finish(),
  });
  EXPECT_EQ(describe(flat()), describe(full()));
  EXPECT_EQ(lstat_of(flat() / "b")->st_ino, lstat_of(flat() / "c")->st_ino);
  EXPECT_EQ(read_file(flat() / "b"), "1");
  EXPECT_EQ(read_file(flat() / "a"), "2");
}

// A hardlink to a file of a lower layer links to a copy of it in its own layer.
TEST_F(DiffTest, HardlinkToALowerLayersFileLinksToACopy) {
  apply_both_ways({
      LayerTar().dir("d").file("d/a", "lower", 0600).symlink("d/s", "a").finish(),
      LayerTar().dir("e").hardlink("e/b", "d/a").hardlink("e/t", "d/s").finish(),
  });
  EXPECT_EQ(describe(flat()), describe(full()));
  EXPECT_EQ(read_file(diffs_[1] / "d/a"), "lower");
  EXPECT_EQ(lstat_of(diffs_[1] / "d/a")->st_ino, lstat_of(diffs_[1] / "e/b")->st_ino);
  EXPECT_EQ(lstat_of(diffs_[0] / "d/a")->st_nlink, 1u);  // the lower layer is untouched
  EXPECT_EQ(needed_lowers_, 1);                          // its copy is made from the lower file
}

// A directory a layer needs but does not list keeps the attributes it has below.
TEST_F(DiffTest, DirectoriesMadeWithoutAnEntryKeepTheLowerAttributes) {
  apply_both_ways({
      LayerTar().dir("d", 0710, 1500000000).file("d/a", "a").file("d/b", "b").finish(),
      LayerTar().file("d/.wh.a").file("d/c", "c").finish(),
  });
  EXPECT_EQ(describe(flat()), describe(full()));
  EXPECT_EQ(lstat_of(diffs_[1] / "d")->st_mode & 07777, 0710u);
  EXPECT_EQ(lstat_of(diffs_[1] / "d")->st_mtim.tv_sec, 1500000000);
  EXPECT_EQ(lstat_of(flat() / "d")->st_mode & 07777, 0710u);
  EXPECT_EQ(needed_lowers_, 0);  // unpacked early, d took the lower's attributes at the end
}

// The kernel's overlayfs reads the diffs as flatten_diffs does.
TEST_F(DiffTest, KernelOverlayShowsTheFlattenedTree) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting needs root";
  apply_both_ways({
      LayerTar().dir("d").file("d/a", "a").file("d/b", "b").dir("o").file("o/x", "x").finish(),
      LayerTar().dir("d").file("d/.wh.a").dir("o").file("o/.wh..wh..opq").file("o/y").finish(),
      LayerTar().file("d/c", "c").file("top", "t").finish(),
  });
  std::string why;
  if (!overlay_works(base_.path(), &why)) GTEST_SKIP() << "no overlayfs here: " << why;
  fs::path merged = base_.path() / "merged";
  make_dirs(merged, 0755);
  mount_overlay({.lowers = diffs_}, merged);
  std::map<std::string, std::string> seen = describe(merged);
  ::umount2(merged.c_str(), MNT_DETACH);
  EXPECT_EQ(seen, describe(flat()));
  EXPECT_EQ(seen, describe(full()));
}

// Snapshots written by older versions hold full trees: the first prepare() drops them.
TEST_F(DiffTest, FullTreeSnapshotsOfOlderVersionsAreDroppedAndRebuilt) {
  fs::path dir = base_.path() / "snaps";
  std::string tar = LayerTar().file("a", "new").finish();
  Digest diff_id = Digest::sha256_of(tar);
  make_dirs(dir / std::string(diff_id.hex()), 0755);
  write_file_atomic(dir / std::string(diff_id.hex()) / "old", "full tree");
  Snapshotter snapshotter(dir);
  EXPECT_EQ(snapshotter.list(), std::vector<Digest>{diff_id});  // removable as ever
  LayerSource source{diff_id, [&] { return std::make_unique<StringReader>(tar); }};
  std::vector<fs::path> paths = snapshotter.prepare({source});
  EXPECT_EQ(names_in(paths[0]), std::set<std::string>{"a"});
  EXPECT_EQ(read_file(dir / ".format"), "diff 1\n");
  // Once marked, snapshots are kept.
  Snapshotter again(dir);
  again.prepare({source});
  EXPECT_EQ(names_in(paths[0]), std::set<std::string>{"a"});
}

}  // namespace
}  // namespace schicht::snapshot

namespace schicht::snapshot {
namespace {

// A layer may not place anything through a symlink of a layer below, as applying onto the
// union refuses it; a directory the layer makes itself replaces the symlink instead.
TEST_F(DiffTest, EntriesThroughALowerSymlinkAreRefused) {
  fs::path lower = base_.path() / "lower";
  fs::path hidden = base_.path() / "hidden";
  make_dirs(lower, 0755);
  make_dirs(hidden, 0755);
  std::string l1 = LayerTar().symlink("evil", "/").file("plain", "p").finish();
  StringReader r1(l1);
  apply_layer(r1, lower, {.name = "l1", .as_diff = true});
  std::string l2 = LayerTar().file(".wh.evil").finish();
  StringReader r2(l2);
  apply_layer(r2, hidden, {.name = "l2", .as_diff = true});
  auto refusal = [&](const std::string& tar, std::vector<fs::path> lowers) {
    fs::path diff = base_.path() / fmt::format("upper{}", diffs_.size());
    diffs_.push_back(diff);
    make_dirs(diff, 0755);
    StringReader reader(tar);
    try {
      apply_layer(reader, diff, {.name = "l3", .as_diff = true, .lowers = lowers});
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kInvalidInput);
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(refusal(LayerTar().file("evil/x", "x").finish(), {lower}),
            "l3: tar entry \"evil/x\" escapes the root through a symlink at \"evil\"");
  EXPECT_EQ(refusal(LayerTar().file("evil/.wh.x").finish(), {lower}),
            "l3: tar entry \"evil/.wh.x\" escapes the root through a symlink at \"evil\"");
  EXPECT_EQ(refusal(LayerTar().file("evil/.wh..wh..opq").finish(), {lower}),
            "l3: tar entry \"evil/.wh..wh..opq\" escapes the root through a symlink at \"evil\"");
  EXPECT_EQ(refusal(LayerTar().file("plain/x", "x").finish(), {lower}),
            "l3: tar entry \"plain/x\" lies beneath \"plain\", which is not a directory");
  EXPECT_EQ(refusal(LayerTar().dir("evil").file("evil/x", "x").finish(), {lower}), "");
  EXPECT_EQ(refusal(LayerTar().file("evil/x", "x").finish(), {lower, hidden}), "");
  // Unpacked before the lowers are known, the same layers are refused once they are.
  auto early = [&](const std::string& tar, const std::vector<fs::path>& lowers) {
    fs::path diff = base_.path() / fmt::format("early{}", diffs_.size());
    diffs_.push_back(diff);
    make_dirs(diff, 0755);
    StringReader reader(tar);
    ApplyStats stats =
        apply_layer(reader, diff, {.name = "l3", .as_diff = true, .lowers_unknown = true});
    return apply_implied_dirs(diff, stats.implied_dirs, lowers, {});
  };
  EXPECT_FALSE(early(LayerTar().file("evil/x", "x").finish(), {lower}));
  EXPECT_FALSE(early(LayerTar().file("evil/.wh.x").finish(), {lower}));
  EXPECT_FALSE(early(LayerTar().file("evil/.wh..wh..opq").finish(), {lower}));
  EXPECT_FALSE(early(LayerTar().file("plain/x", "x").finish(), {lower}));
  EXPECT_TRUE(early(LayerTar().dir("evil").file("evil/x", "x").finish(), {lower}));
  EXPECT_TRUE(early(LayerTar().file("evil/x", "x").finish(), {lower, hidden}));
}

}  // namespace
}  // namespace schicht::snapshot
