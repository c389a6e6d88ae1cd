#include "content/blob_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/fs.h"
#include "error_of.h"

namespace schicht {
namespace {

// A fresh store root per test, removed afterwards.
class BlobStoreTest : public ::testing::Test {
 protected:
  BlobStoreTest() : dir_(temp_root(), "schicht-blob-test"), store_(dir_.path()) {}

  fs::path blob_dir() const { return dir_.path() / "blobs" / "sha256"; }

  static std::vector<fs::path> files_in(const fs::path& dir) {
    std::vector<fs::path> out;
    for (const auto& entry : fs::directory_iterator(dir)) out.push_back(entry.path());
    return out;
  }

  TempDir dir_;
  BlobStore store_;
};

TEST_F(BlobStoreTest, CreatesItsDirectories) {
  EXPECT_TRUE(fs::is_directory(blob_dir()));
  EXPECT_TRUE(fs::is_directory(store_.ingest_dir()));
  EXPECT_EQ(store_.ingest_dir(), dir_.path() / "ingest");
  // A second store on the same root is fine.
  BlobStore again(dir_.path());
  EXPECT_TRUE(files_in(blob_dir()).empty());
}

TEST_F(BlobStoreTest, PutStoresBytesUnderTheirDigest) {
  Digest d = store_.put("hello");
  EXPECT_EQ(d, Digest::sha256_of("hello"));
  EXPECT_EQ(store_.path_of(d), blob_dir() / std::string(d.hex()));
  EXPECT_TRUE(fs::is_regular_file(store_.path_of(d)));
  EXPECT_TRUE(store_.exists(d));
  EXPECT_EQ(store_.size_of(d), 5u);
  EXPECT_EQ(store_.read(d), "hello");
  EXPECT_TRUE(files_in(store_.ingest_dir()).empty());
}

TEST_F(BlobStoreTest, PutsAnEmptyBlob) {
  Digest d = store_.put("");
  EXPECT_EQ(d, Digest::sha256_of(""));
  EXPECT_EQ(store_.size_of(d), 0u);
  EXPECT_EQ(store_.read(d), "");
}

TEST_F(BlobStoreTest, PutVerifiesTheExpectedDigest) {
  Digest d = store_.put("data", Digest::sha256_of("data"));
  EXPECT_EQ(d, Digest::sha256_of("data"));
  EXPECT_EQ(store_.read(d), "data");
}

TEST_F(BlobStoreTest, AbsentBlobs) {
  Digest d = Digest::sha256_of("never stored");
  EXPECT_FALSE(store_.exists(d));
  EXPECT_EQ(store_.size_of(d), std::nullopt);
  error_of(ErrorKind::kNotFound, [&] { store_.open(d); });
  std::string message = error_of(ErrorKind::kNotFound, [&] { store_.read(d); });
  EXPECT_NE(message.find(d.str()), std::string::npos) << message;
  EXPECT_EQ(store_.remove(d), 0u);
}

TEST_F(BlobStoreTest, OnlySha256CanBeStored) {
  Digest sha512 = Digest::parse(
      "sha512:"
      "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318"
      "d2877eec2f63b931bd47417a81a538327af927da3e");
  error_of(ErrorKind::kUnsupported, [&] { store_.path_of(sha512); });
}

TEST_F(BlobStoreTest, ReadHonorsTheLimit) {
  Digest d = store_.put(std::string(100, 'x'));
  EXPECT_EQ(store_.read(d, 100).size(), 100u);
  error_of(ErrorKind::kInvalidInput, [&] { store_.read(d, 10); });
}

TEST_F(BlobStoreTest, RemoveDeletesAndReportsBytes) {
  std::string bytes(10000, 'r');
  Digest d = store_.put(bytes);
  uint64_t freed = store_.remove(d);
  EXPECT_GT(freed, 0u);
  EXPECT_FALSE(store_.exists(d));
  EXPECT_FALSE(fs::exists(store_.path_of(d)));
  EXPECT_EQ(store_.remove(d), 0u);  // already gone: no error
}

TEST_F(BlobStoreTest, WalkVisitsEveryBlobWithItsSize) {
  Digest a = store_.put("a");
  Digest b = store_.put("bbbb");
  Digest c = store_.put(std::string(5000, 'c'));
  // Strays that are not blob names are skipped.
  write_file_atomic(blob_dir() / "not-a-digest", "junk");
  write_file_atomic(blob_dir() / std::string(64, 'A'), "uppercase is no digest");

  std::map<Digest, uint64_t> seen;
  store_.walk([&](const Digest& d, uint64_t size) { seen[d] = size; });
  std::map<Digest, uint64_t> expected{{a, 1}, {b, 4}, {c, 5000}};
  EXPECT_EQ(seen, expected);

  store_.remove(b);
  seen.clear();
  store_.walk([&](const Digest& d, uint64_t size) { seen[d] = size; });
  expected.erase(b);
  EXPECT_EQ(seen, expected);
}

TEST_F(BlobStoreTest, IngestStreamsInPieces) {
  auto ingest = store_.begin_ingest("layer");
  ingest->write("hel");
  ingest->write("lo ");
  ingest->write("world");
  EXPECT_EQ(ingest->size(), 11u);
  // Not visible before the commit.
  EXPECT_FALSE(store_.exists(Digest::sha256_of("hello world")));
  EXPECT_EQ(files_in(store_.ingest_dir()).size(), 1u);
  Digest d = ingest->commit(Digest::sha256_of("hello world"), 11);
  EXPECT_EQ(d, Digest::sha256_of("hello world"));
  EXPECT_EQ(store_.read(d), "hello world");
  EXPECT_TRUE(files_in(store_.ingest_dir()).empty());
  ingest.reset();
  EXPECT_TRUE(store_.exists(d));  // destroying a committed ingest keeps the blob
}

TEST_F(BlobStoreTest, IngestDigestIsFinal) {
  auto ingest = store_.begin_ingest("config");
  ingest->write("abc");
  EXPECT_EQ(ingest->digest(), Digest::sha256_of("abc"));
  EXPECT_EQ(ingest->digest(), Digest::sha256_of("abc"));  // asking twice is fine
  error_of(ErrorKind::kInternal, [&] { ingest->write("more"); });
  EXPECT_EQ(ingest->commit(Digest::sha256_of("abc")), Digest::sha256_of("abc"));
  EXPECT_EQ(store_.read(Digest::sha256_of("abc")), "abc");
}

TEST_F(BlobStoreTest, CommitRejectsAWrongDigest) {
  Digest wrong = Digest::sha256_of("something else");
  std::string message =
      error_of(ErrorKind::kIntegrity, [&] { store_.put("payload", wrong, "layer x"); });
  EXPECT_NE(message.find("layer x"), std::string::npos) << message;
  EXPECT_NE(message.find("digest mismatch"), std::string::npos) << message;
  EXPECT_NE(message.find(wrong.str()), std::string::npos) << message;
  EXPECT_TRUE(files_in(blob_dir()).empty());
  EXPECT_TRUE(files_in(store_.ingest_dir()).empty());
  EXPECT_FALSE(store_.exists(Digest::sha256_of("payload")));
}

TEST_F(BlobStoreTest, CommitRejectsAWrongDigestOnAnIngest) {
  auto ingest = store_.begin_ingest("blob");
  ingest->write("payload");
  error_of(ErrorKind::kIntegrity,
           [&] { ingest->commit(Digest::sha256_of("something else"), uint64_t{7}); });
  EXPECT_TRUE(files_in(blob_dir()).empty());
  ingest.reset();
  EXPECT_TRUE(files_in(blob_dir()).empty());
  EXPECT_TRUE(files_in(store_.ingest_dir()).empty());
}

TEST_F(BlobStoreTest, CommitRejectsAWrongSize) {
  auto ingest = store_.begin_ingest("blob");
  ingest->write("payload");
  std::string message = error_of(
      ErrorKind::kIntegrity, [&] { ingest->commit(Digest::sha256_of("payload"), uint64_t{8}); });
  EXPECT_NE(message.find("size mismatch"), std::string::npos) << message;
  // A size mismatch without an expected digest is still caught.
  error_of(ErrorKind::kIntegrity, [&] { ingest->commit(std::nullopt, uint64_t{6}); });
  EXPECT_TRUE(files_in(blob_dir()).empty());
  ingest.reset();
  EXPECT_TRUE(files_in(blob_dir()).empty());
  EXPECT_TRUE(files_in(store_.ingest_dir()).empty());
}

TEST_F(BlobStoreTest, AnAbandonedIngestLeavesNoFile) {
  {
    auto ingest = store_.begin_ingest("blob");
    ingest->write(std::string(4096, 'z'));
    EXPECT_EQ(files_in(store_.ingest_dir()).size(), 1u);
  }
  EXPECT_TRUE(files_in(store_.ingest_dir()).empty());
  EXPECT_TRUE(files_in(blob_dir()).empty());
  // An ingest with nothing written, too.
  store_.begin_ingest("empty").reset();
  EXPECT_TRUE(files_in(store_.ingest_dir()).empty());
}

TEST_F(BlobStoreTest, CommittingAnExistingBlobSucceeds) {
  Digest first = store_.put("same bytes");
  auto ingest = store_.begin_ingest("again");
  ingest->write("same bytes");
  EXPECT_EQ(ingest->commit(first, uint64_t{10}), first);
  EXPECT_EQ(store_.read(first), "same bytes");
  // Through put as well, with and without an expected digest.
  EXPECT_EQ(store_.put("same bytes", first), first);
  EXPECT_EQ(store_.put("same bytes"), first);
  EXPECT_EQ(files_in(blob_dir()).size(), 1u);
  EXPECT_TRUE(files_in(store_.ingest_dir()).empty());
}

TEST_F(BlobStoreTest, BlobsAreReadOnly) {
  Digest d = store_.put("immutable");
  struct stat st {};
  ASSERT_EQ(::stat(store_.path_of(d).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0444u);
  EXPECT_TRUE(S_ISREG(st.st_mode));

  auto ingest = store_.begin_ingest("streamed");
  ingest->write("streamed bytes");
  Digest streamed = ingest->commit();
  ASSERT_EQ(::stat(store_.path_of(streamed).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0444u);
}

TEST_F(BlobStoreTest, StaleIngestsAreTheUnlockedOnes) {
  EXPECT_TRUE(store_.stale_ingests().empty());
  // A live ingest holds its lock: not stale.
  auto live = store_.begin_ingest("live");
  live->write("in flight");
  EXPECT_TRUE(store_.stale_ingests().empty());

  // A crash leftover: a temp file no process holds.
  fs::path leftover = store_.ingest_dir() / "blob-crash1";
  write_file_atomic(leftover, "half a layer", 0600);
  auto stale = store_.stale_ingests();
  ASSERT_EQ(stale.size(), 1u);
  EXPECT_EQ(stale[0], leftover);

  // Checking does not disturb the live ingest, which still holds its lock afterwards.
  EXPECT_EQ(store_.stale_ingests().size(), 1u);
  Digest d = live->commit(Digest::sha256_of("in flight"));
  EXPECT_EQ(store_.read(d), "in flight");
  live.reset();
  EXPECT_EQ(store_.stale_ingests(), std::vector<fs::path>{leftover});

  fs::remove(leftover);
  EXPECT_TRUE(store_.stale_ingests().empty());
}

TEST_F(BlobStoreTest, RemoveStaleIngestTakesOnlyUnlockedFiles) {
  // A live ingest is never seen unlocked, however often a checker looks.
  auto live = store_.begin_ingest("live");
  live->write("in flight");
  for (const auto& entry : fs::directory_iterator(store_.ingest_dir())) {
    EXPECT_FALSE(store_.remove_stale_ingest(entry.path()));
  }
  // A file another process holds locked stays too; once the holder is gone, it goes.
  fs::path held = store_.ingest_dir() / "blob-held";
  write_file_atomic(held, "half a layer", 0600);
  {
    UniqueFd fd(::open(held.c_str(), O_RDONLY | O_CLOEXEC));
    ASSERT_TRUE(fd);
    ASSERT_EQ(::flock(fd.get(), LOCK_EX), 0);
    EXPECT_TRUE(store_.stale_ingests().empty());
    EXPECT_FALSE(store_.remove_stale_ingest(held));
    EXPECT_TRUE(fs::exists(held));
  }
  EXPECT_EQ(store_.stale_ingests(), std::vector<fs::path>{held});
  EXPECT_TRUE(store_.remove_stale_ingest(held));
  EXPECT_FALSE(fs::exists(held));
  EXPECT_FALSE(store_.remove_stale_ingest(held));  // gone: nothing to do
  // The live ingest commits untouched.
  Digest d = live->commit(Digest::sha256_of("in flight"));
  EXPECT_EQ(store_.read(d), "in flight");
}

TEST_F(BlobStoreTest, ConcurrentIngestsOfTheSameBytes) {
  auto a = store_.begin_ingest("a");
  auto b = store_.begin_ingest("b");
  a->write("shared layer");
  b->write("shared layer");
  EXPECT_EQ(files_in(store_.ingest_dir()).size(), 2u);
  Digest da = a->commit();
  Digest db = b->commit();
  EXPECT_EQ(da, db);
  a.reset();
  b.reset();
  EXPECT_EQ(store_.read(da), "shared layer");
  EXPECT_EQ(files_in(blob_dir()).size(), 1u);
  EXPECT_TRUE(files_in(store_.ingest_dir()).empty());
}

}  // namespace
}  // namespace schicht
