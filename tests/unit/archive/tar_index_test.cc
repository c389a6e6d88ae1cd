// TarIndex: members found by pread at the offsets the index records, whatever header forms
// (PAX long names, GNU long names) precede them; links followed inside the archive only.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "archive/compression.h"
#include "archive/tar_index.h"
#include "archive/tar_writer.h"
#include "archive_test_util.h"
#include "core/error.h"
#include "core/fs.h"

namespace schicht {
namespace {

using test::error_kind_of;
using test::make_data;

std::string read_member(const TarIndex& index, std::string_view path) {
  std::unique_ptr<Reader> reader = index.open(index.file(path));
  return read_all(*reader, 64 << 20, path);
}

class TarIndexTest : public ::testing::Test {
 protected:
  TempDir dir_{fs::temp_directory_path(), "tar-index"};

  fs::path write(const std::string& name, std::string_view bytes) {
    fs::path path = dir_.path() / name;
    write_file_atomic(path, bytes);
    return path;
  }
};

TEST_F(TarIndexTest, ServesEveryMemberFromItsRange) {
  std::string big = make_data((3 << 20) + 17, 2);
  std::string long_name = "blobs/" + std::string(180, 'n') + "/file";
  StringWriter out;
  {
    TarWriter tar(out);
    tar.add_directory("blobs");
    tar.add_file("blobs/a", "first");
    tar.add_file(long_name, big);  // PAX path header before the entry
    tar.add_file("./empty", "");
    tar.add_file("blobs/a", "replaced");  // a later entry of the same name wins
    tar.finish();
  }
  TarIndex index(write("a.tar", out.str()), "a.tar");
  EXPECT_EQ(read_member(index, long_name), big);
  EXPECT_EQ(read_member(index, "blobs/a"), "replaced");
  EXPECT_EQ(read_member(index, "empty"), "");
  EXPECT_TRUE(index.has("./blobs//a"));
  EXPECT_FALSE(index.has("blobs"));
  EXPECT_EQ(error_kind_of([&] { index.file("missing"); }), ErrorKind::kNotFound);
  EXPECT_EQ(error_kind_of([&] { index.file("blobs"); }), ErrorKind::kInvalidInput);
  // Readers are independent: many threads at once each get their member whole.
  std::vector<std::thread> threads;
  std::vector<std::string> got(8);
  for (size_t i = 0; i < got.size(); ++i) {
    threads.emplace_back([&, i] { got[i] = read_member(index, i % 2 ? long_name : "blobs/a"); });
  }
  for (auto& t : threads) t.join();
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], i % 2 ? big : "replaced");
}

TEST_F(TarIndexTest, ReadsGnuTarOutput) {
  if (!test::have_tool("tar")) GTEST_SKIP() << "no tar tool";
  fs::path root = dir_.path() / "root";
  std::string long_dir = std::string(120, 'L');
  fs::create_directories(root / long_dir);
  write_file_atomic(root / long_dir / "file", "gnu long name");
  fs::create_symlink(long_dir + "/file", root / "sym");
  fs::create_hard_link(root / long_dir / "file", root / "hard");
  for (std::string format : {"gnu", "pax"}) {
    fs::path file = dir_.path() / (format + ".tar");
    std::string cmd =
        "tar --format=" + format + " -C '" + root.string() + "' -cf '" + file.string() + "' .";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    TarIndex index(file, format);
    EXPECT_EQ(read_member(index, long_dir + "/file"), "gnu long name") << format;
    EXPECT_EQ(read_member(index, "sym"), "gnu long name") << format;
    EXPECT_EQ(read_member(index, "hard"), "gnu long name") << format;
  }
}

TEST_F(TarIndexTest, LinksAndNamesNeverLeaveTheArchive) {
  StringWriter out;
  {
    TarWriter tar(out);
    tar.add_file("dir/real", "inside");
    tar.add_symlink("dir/up", "../dir/real");
    tar.add_symlink("dir/out", "../../etc/passwd");
    tar.add_symlink("abs", "/etc/passwd");
    tar.add_symlink("loop", "loop");
    tar.finish();
  }
  TarIndex index(write("l.tar", out.str()), "l.tar");
  EXPECT_EQ(read_member(index, "dir/up"), "inside");
  std::string message;
  EXPECT_EQ(error_kind_of([&] { index.file("dir/out"); }, &message), ErrorKind::kInvalidInput);
  EXPECT_NE(message.find("leads out of the archive"), std::string::npos) << message;
  EXPECT_EQ(error_kind_of([&] { index.file("abs"); }), ErrorKind::kInvalidInput);
  EXPECT_EQ(error_kind_of([&] { index.file("loop"); }), ErrorKind::kInvalidInput);
  EXPECT_EQ(error_kind_of([&] { index.file("../dir/real"); }), ErrorKind::kInvalidInput);
  EXPECT_EQ(error_kind_of([&] { index.file("/dir/real"); }), ErrorKind::kInvalidInput);
}

TEST_F(TarIndexTest, RefusesWhatCannotBeReadInPlace) {
  StringWriter out;
  {
    TarWriter tar(out);
    tar.add_file("a", make_data(5000, 3));
    tar.finish();
  }
  std::string message;
  // Truncated: the index pass reads every header and the data between them.
  fs::path cut = write("cut.tar", out.str().substr(0, 1024));
  EXPECT_EQ(error_kind_of([&] { TarIndex index(cut, "cut.tar"); }, &message),
            ErrorKind::kInvalidInput);
  EXPECT_NE(message.find("truncated"), std::string::npos) << message;
  fs::path junk = write("junk.tar", std::string(4096, 'x'));
  EXPECT_EQ(error_kind_of([&] { TarIndex index(junk, "junk.tar"); }, &message),
            ErrorKind::kInvalidInput);
  EXPECT_NE(message.find("not a tar archive"), std::string::npos) << message;
  StringWriter gz;
  {
    auto writer = compress(gz, Compression::kGzip);
    writer->write(out.str());
    writer->finish();
  }
  fs::path packed = write("a.tar.gz", gz.str());
  EXPECT_EQ(error_kind_of([&] { TarIndex index(packed, "a.tar.gz"); }, &message),
            ErrorKind::kUnsupported);
  EXPECT_NE(message.find("cannot be read in place"), std::string::npos) << message;
  // An entry named out of the root spoils the whole archive.
  StringWriter bad;
  {
    TarWriter tar(bad);
    tar.add_file("../escape", "x");
    tar.finish();
  }
  fs::path escape = write("escape.tar", bad.str());
  EXPECT_EQ(error_kind_of([&] { TarIndex index(escape, "escape.tar"); }, &message),
            ErrorKind::kInvalidInput);
  EXPECT_NE(message.find("escapes the root"), std::string::npos) << message;
}

}  // namespace
}  // namespace schicht
