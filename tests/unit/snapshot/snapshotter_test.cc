#include "snapshot/snapshotter.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "snapshot/overlay_form.h"
#include "snapshot/tree_copy.h"
#include "snapshot_test_util.h"

namespace schicht::snapshot {
namespace {

using test::error_of;
using test::LayerTar;
using test::lstat_of;
using test::names_in;
using test::present;

// Layers kept in memory, with a count of how often each was opened.
class SnapshotterTest : public ::testing::Test {
 protected:
  SnapshotterTest()
      : base_(fs::temp_directory_path(), "schicht-snapshot-test"), dir_(base_.path() / "snaps") {}

  LayerSource layer(const std::string& tar, const std::string& claimed_diff_id = "") {
    tars_.push_back(std::make_unique<std::string>(tar));
    const std::string* bytes = tars_.back().get();
    Digest diff_id =
        claimed_diff_id.empty() ? Digest::sha256_of(tar) : Digest::parse(claimed_diff_id);
    std::atomic<int>* count = &opens_[diff_id.str()];  // inserted here, not by racing threads
    return LayerSource{diff_id, [bytes, count] {
                         ++*count;
                         return std::make_unique<StringReader>(*bytes);
                       }};
  }

  int opens(const LayerSource& source) { return opens_[source.diff_id.str()]; }

  // Everything in the snapshots dir except lock files, recorded sizes and the format marker.
  std::set<std::string> contents() {
    std::set<std::string> out;
    for (const std::string& name : names_in(dir_)) {
      if (!name.starts_with(".lock-") && !name.starts_with(".size-") && name != ".format") {
        out.insert(name);
      }
    }
    return out;
  }

  // The diffs flattened into a new directory.
  fs::path flattened(const std::vector<fs::path>& diffs) {
    fs::path to = base_.path() / ("flat" + std::to_string(flats_++));
    make_dirs(to, 0755);
    UniqueFd fd(::open(to.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    flatten_diffs(diffs, fd.get(), ::geteuid() == 0);
    return to;
  }

  TempDir base_;
  fs::path dir_;
  std::vector<std::unique_ptr<std::string>> tars_;
  std::map<std::string, std::atomic<int>> opens_;
  int flats_ = 0;
};

TEST_F(SnapshotterTest, BuildsEveryPrefixOfTheChain) {
  LayerSource l1 = layer(LayerTar().file("etc/a", "a").file("etc/b", "b").finish());
  LayerSource l2 = layer(LayerTar().file("etc/.wh.a").file("usr/c", "c").finish());
  LayerSource l3 = layer(LayerTar().file("etc/b", "b3").finish());
  Snapshotter snapshotter(dir_);
  std::vector<fs::path> paths = snapshotter.prepare({l1, l2, l3});

  Digest c1 = l1.diff_id;
  Digest c2 = chain_id(c1, l2.diff_id);
  Digest c3 = chain_id(c2, l3.diff_id);
  EXPECT_EQ(paths,
            (std::vector<fs::path>{dir_ / std::string(c1.hex()), dir_ / std::string(c2.hex()),
                                   dir_ / std::string(c3.hex())}));
  std::vector<Digest> expected = {c1, c2, c3};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(snapshotter.list(), expected);
  // Each snapshot holds its own layer alone, the whiteout as overlayfs reads it.
  EXPECT_EQ(names_in(snapshotter.path_of(c1) / "etc"), (std::set<std::string>{"a", "b"}));
  EXPECT_EQ(names_in(snapshotter.path_of(c2) / "etc"), std::set<std::string>{"a"});
  EXPECT_TRUE(is_whiteout(*lstat_of(snapshotter.path_of(c2) / "etc/a")));
  EXPECT_EQ(names_in(snapshotter.path_of(c3)), std::set<std::string>{"etc"});
  fs::path top = flattened(paths);
  EXPECT_EQ(names_in(top / "etc"), std::set<std::string>{"b"});
  EXPECT_EQ(read_file(top / "etc/b"), "b3");
  EXPECT_EQ(read_file(top / "usr/c"), "c");
  EXPECT_TRUE(snapshotter.stale().empty());
  EXPECT_EQ(contents(), (std::set<std::string>{std::string(c1.hex()), std::string(c2.hex()),
                                               std::string(c3.hex())}));
}

TEST_F(SnapshotterTest, ReusesSnapshotsThatExist) {
  LayerSource l1 = layer(LayerTar().file("a", "a").finish());
  LayerSource l2 = layer(LayerTar().file("b", "b").finish());
  Snapshotter snapshotter(dir_);
  snapshotter.prepare({l1});
  std::vector<fs::path> paths = snapshotter.prepare({l1, l2});
  std::vector<fs::path> again = snapshotter.prepare({l1, l2});
  EXPECT_EQ(paths, again);
  EXPECT_EQ(opens(l1), 1);
  EXPECT_EQ(opens(l2), 1);
  EXPECT_EQ(names_in(flattened(paths)), (std::set<std::string>{"a", "b"}));
}

TEST_F(SnapshotterTest, FlattenedTreeIsACopyNotALinkOfTheSnapshots) {
  LayerSource l1 = layer(LayerTar().file("a", "one").hardlink("b", "a").finish());
  LayerSource l2 = layer(LayerTar().file("c", "c").finish());
  Snapshotter snapshotter(dir_);
  std::vector<fs::path> paths = snapshotter.prepare({l1, l2});
  fs::path top = flattened(paths);
  fs::path bottom = snapshotter.path_of(l1.diff_id);
  // Hardlinks inside a snapshot survive the copy; none reaches into the snapshot.
  EXPECT_EQ(lstat_of(top / "a")->st_ino, lstat_of(top / "b")->st_ino);
  EXPECT_NE(lstat_of(top / "a")->st_ino, lstat_of(bottom / "a")->st_ino);
  EXPECT_EQ(lstat_of(bottom / "a")->st_nlink, 2u);
  EXPECT_FALSE(present(paths[1] / "a"));
}

TEST_F(SnapshotterTest, CopyKeepsMetadata) {
  if (::geteuid() != 0) GTEST_SKIP() << "owners can only be set as root";
  TarEntry owned;
  owned.path = "bin/ping";
  owned.type = TarEntry::Type::kFile;
  owned.mode = 04711;
  owned.uid = 42;
  owned.gid = 43;
  owned.mtime_sec = 1111111111;
  owned.xattrs = {{"user.note", "kept"}};
  LayerSource l1 = layer(LayerTar()
                             .add(owned, "")
                             .dir("var", 0750, 1222222222)
                             .symlink("var/link", "../bin/ping")
                             .special("var/fifo", TarEntry::Type::kFifo)
                             .finish());
  LayerSource l2 = layer(LayerTar().file("new", "n").finish());
  Snapshotter snapshotter(dir_, {.privileged = true});
  fs::path top = flattened(snapshotter.prepare({l1, l2}));
  struct stat ping = *lstat_of(top / "bin/ping");
  EXPECT_EQ(ping.st_mode & 07777, 04711u);
  EXPECT_EQ(ping.st_uid, 42u);
  EXPECT_EQ(ping.st_gid, 43u);
  EXPECT_EQ(ping.st_mtim.tv_sec, 1111111111);
  EXPECT_EQ(lstat_of(top / "var")->st_mode & 07777, 0750u);
  EXPECT_EQ(lstat_of(top / "var")->st_mtim.tv_sec, 1222222222);
  EXPECT_EQ(fs::read_symlink(top / "var/link"), "../bin/ping");
  EXPECT_TRUE(S_ISFIFO(lstat_of(top / "var/fifo")->st_mode));
  EXPECT_EQ(lstat_of(top)->st_mode & 07777, 0755u);
  char value[8] = {};
  ssize_t n = ::lgetxattr((top / "bin/ping").c_str(), "user.note", value, sizeof value);
  if (n >= 0) {
    EXPECT_EQ(std::string(value, n), "kept");
  }
}

TEST_F(SnapshotterTest, RemoveReportsFreedBytes) {
  LayerSource l1 = layer(LayerTar().file("big", std::string(100000, 'x')).finish());
  LayerSource l2 = layer(LayerTar().file("small", "s").finish());
  Snapshotter snapshotter(dir_);
  snapshotter.prepare({l1, l2});
  Digest top = chain_id(l1.diff_id, l2.diff_id);
  // A snapshot is its layer alone: the top one is small, the bottom one holds the big file.
  uint64_t freed = snapshotter.remove(l1.diff_id);
  EXPECT_GE(freed, 100000u);
  EXPECT_FALSE(snapshotter.exists(l1.diff_id));
  EXPECT_TRUE(snapshotter.exists(top));
  EXPECT_EQ(snapshotter.list(), std::vector<Digest>{top});
  EXPECT_EQ(snapshotter.remove(l1.diff_id), 0u);
  EXPECT_EQ(contents(), std::set<std::string>{std::string(top.hex())});
  EXPECT_LT(snapshotter.remove(top), 100000u);
  EXPECT_FALSE(present(dir_ / (".size-" + std::string(top.hex()))));
  // Rebuilding after removal builds only what is missing.
  snapshotter.prepare({l1});
  snapshotter.prepare({l1, l2});
  EXPECT_EQ(opens(l1), 2);
  EXPECT_EQ(opens(l2), 2);
}

TEST_F(SnapshotterTest, BytesAreRecordedWhenBuiltAndMatchTheDisk) {
  LayerSource l1 = layer(LayerTar().file("big", std::string(100000, 'x')).finish());
  Snapshotter snapshotter(dir_);
  snapshotter.prepare({l1});
  UniqueFd fd(::open(snapshotter.path_of(l1.diff_id).c_str(), O_RDONLY | O_DIRECTORY));
  uint64_t on_disk = disk_usage(fd.get());
  EXPECT_EQ(read_file(dir_ / (".size-" + std::string(l1.diff_id.hex()))), std::to_string(on_disk));
  uint64_t record = lstat_of(dir_ / (".size-" + std::string(l1.diff_id.hex())))->st_blocks * 512;
  EXPECT_EQ(snapshotter.bytes(l1.diff_id), on_disk + record);
  // Without the record (a snapshot of an older version), it is measured.
  fs::remove(dir_ / (".size-" + std::string(l1.diff_id.hex())));
  EXPECT_EQ(snapshotter.bytes(l1.diff_id), on_disk);
  EXPECT_EQ(snapshotter.remove(l1.diff_id), on_disk);
  EXPECT_EQ(snapshotter.bytes(l1.diff_id), 0u);
  // With the record, removing frees its block too: what bytes() said.
  snapshotter.prepare({l1});
  uint64_t said = snapshotter.bytes(l1.diff_id);
  EXPECT_EQ(snapshotter.remove(l1.diff_id), said);
  EXPECT_FALSE(present(dir_ / (".size-" + std::string(l1.diff_id.hex()))));
}

TEST_F(SnapshotterTest, RefusedLayerLeavesNothingBehind) {
  LayerSource l1 = layer(LayerTar().file("a", "a").finish());
  fs::path outside = base_.path() / "outside";
  make_dirs(outside);
  LayerSource bad =
      layer(LayerTar().symlink("evil", outside.string()).file("evil/x", "x").finish());
  Snapshotter snapshotter(dir_);
  Error e = error_of([&] { snapshotter.prepare({l1, bad}); });
  EXPECT_EQ(e.kind(), ErrorKind::kInvalidInput);
  EXPECT_EQ(std::string(e.what()), "layer " + bad.diff_id.str() +
                                       ": tar entry \"evil/x\" escapes the root through a "
                                       "symlink at \"evil\"");
  EXPECT_EQ(contents(), std::set<std::string>{std::string(l1.diff_id.hex())});
  EXPECT_TRUE(names_in(outside).empty());
}

TEST_F(SnapshotterTest, ContentThatIsNotTheDiffIdIsRejected) {
  LayerSource lying = layer(LayerTar().file("a", "a").finish(), Digest::sha256_of("other").str());
  Snapshotter snapshotter(dir_);
  Error e = error_of([&] { snapshotter.prepare({lying}); });
  EXPECT_EQ(e.kind(), ErrorKind::kIntegrity);
  EXPECT_NE(std::string(e.what()).find("uncompressed content has digest"), std::string::npos);
  EXPECT_TRUE(contents().empty());
}

TEST_F(SnapshotterTest, StaleReportsOnlyAbandonedTempDirs) {
  Snapshotter snapshotter(dir_);
  make_dirs(dir_ / ".tmp-dead01" / "half");
  make_dirs(dir_ / ".tmp-alive1");
  UniqueFd held(::open((dir_ / ".tmp-alive1").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  ASSERT_EQ(::flock(held.get(), LOCK_EX), 0);
  EXPECT_EQ(snapshotter.stale(), std::vector<fs::path>{dir_ / ".tmp-dead01"});
  EXPECT_EQ(snapshotter.remove_stale(), 1u);
  EXPECT_EQ(contents(), std::set<std::string>{".tmp-alive1"});
  EXPECT_TRUE(snapshotter.list().empty());
}

// Between mkdtemp and its flock a builder's temp dir is unlocked; the snapshot's own lock, held
// by the builder all along, keeps stale() from taking it for abandoned.
TEST_F(SnapshotterTest, StaleLeavesTempDirsOfSnapshotsBeingBuilt) {
  Snapshotter snapshotter(dir_);
  std::string hex(64, 'a');
  make_dirs(dir_ / (".tmp-" + hex + "-new001"));
  make_dirs(dir_ / (".tmp-" + std::string(64, 'b') + "-dead01"));
  UniqueFd building(::open((dir_ / (".lock-" + hex)).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  ASSERT_EQ(::flock(building.get(), LOCK_EX), 0);
  EXPECT_EQ(snapshotter.stale(),
            std::vector<fs::path>{dir_ / (".tmp-" + std::string(64, 'b') + "-dead01")});
  EXPECT_EQ(snapshotter.remove_stale(), 1u);
  EXPECT_EQ(contents(), std::set<std::string>{".tmp-" + hex + "-new001"});
  building.reset();
  EXPECT_EQ(snapshotter.remove_stale(), 1u);
  EXPECT_TRUE(contents().empty());
}

// A container copying a snapshot holds it: remove() waits until the hold ends.
TEST_F(SnapshotterTest, RemoveWaitsForAHeldSnapshot) {
  LayerSource l1 = layer(LayerTar().file("a", "a").finish());
  Snapshotter snapshotter(dir_);
  std::atomic<bool> removed = false;
  std::thread remover;
  {
    HeldSnapshot held = snapshotter.prepare_held({l1});
    EXPECT_EQ(held.paths(), std::vector<fs::path>{snapshotter.path_of(l1.diff_id)});
    UniqueFd probe(
        ::open((dir_ / (".lock-" + std::string(l1.diff_id.hex()))).c_str(), O_RDONLY | O_CLOEXEC));
    ASSERT_TRUE(probe);
    EXPECT_NE(::flock(probe.get(), LOCK_EX | LOCK_NB), 0);
    remover = std::thread([&] {
      snapshotter.remove(l1.diff_id);
      removed = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_FALSE(removed);
    EXPECT_EQ(read_file(held.paths()[0] / "a"), "a");
  }
  remover.join();
  EXPECT_TRUE(removed);
  EXPECT_FALSE(snapshotter.exists(l1.diff_id));
}

TEST_F(SnapshotterTest, ConcurrentPreparesBuildEachSnapshotOnce) {
  std::string tar = LayerTar().file("a", std::string(1 << 20, 'a')).finish();
  tars_.push_back(std::make_unique<std::string>(tar));
  const std::string* bytes = tars_.back().get();
  std::atomic<int> opened = 0;
  LayerSource slow{Digest::sha256_of(tar), [&] {
                     ++opened;
                     std::this_thread::sleep_for(std::chrono::milliseconds(100));
                     return std::make_unique<StringReader>(*bytes);
                   }};
  LayerSource l2 = layer(LayerTar().file("b", "b").finish());
  std::vector<std::vector<fs::path>> tops(4);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      Snapshotter snapshotter(dir_);  // one per thread, as separate processes would have
      tops[i] = snapshotter.prepare({slow, l2});
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(opened.load(), 1);
  EXPECT_EQ(opens(l2), 1);
  for (const auto& top : tops) EXPECT_EQ(top, tops[0]);
  EXPECT_EQ(read_file(tops[0][1] / "b"), "b");
}

TEST_F(SnapshotterTest, EmptyChainIsInvalid) {
  Snapshotter snapshotter(dir_);
  EXPECT_EQ(error_of([&] { snapshotter.prepare({}); }).kind(), ErrorKind::kInvalidInput);
}

}  // namespace
}  // namespace schicht::snapshot
