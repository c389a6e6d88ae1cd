#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "archive/compression.h"
#include "archive/tar_reader.h"
#include "archive/tar_writer.h"
#include "archive_test_util.h"
#include "core/error.h"
#include "core/fs.h"

namespace schicht {
namespace {

using test::error_kind_of;
using test::make_data;

struct ReadEntry {
  TarEntry header;
  std::string data;
};

std::vector<ReadEntry> read_tar(std::string_view tar, size_t chunk = 1 << 20) {
  test::ChunkedReader in(tar, chunk);
  TarReader reader(in, "test.tar");
  std::vector<ReadEntry> entries;
  ReadEntry entry;
  while (reader.next(entry.header)) {
    entry.data = test::read_in_chunks(reader.data(), 4099);
    entries.push_back(entry);
  }
  EXPECT_FALSE(reader.next(entry.header)) << "next() after the end";
  return entries;
}

TEST(TarWriter, RoundTripAllTypes) {
  std::string big = make_data((2 << 20) + 123, 4);
  std::string long_name = "deep/" + std::string(150, 'n') + "/file.txt";
  std::string long_target = std::string(120, 't') + "/target";
  StringWriter out;
  {
    TarWriter writer(out);
    writer.add_directory("etc", 0755, 1700000000);
    writer.add_file("etc/hosts", "127.0.0.1 localhost\n", 0644, 1700000001);
    writer.add_file("etc/empty", "", 0600);
    test::ChunkedReader big_reader(big, 10007);
    writer.add_file("usr/bin/big", big.size(), big_reader, 04755, 1700000002);
    writer.add_symlink("etc/localtime", "/usr/share/zoneinfo/UTC", 1700000003);
    writer.add_symlink(long_name + ".link", long_target);

    TarEntry link;
    link.path = "usr/bin/big-link";
    link.type = TarEntry::Type::kHardlink;
    link.link_target = "usr/bin/big";
    link.mode = 04755;
    writer.add_entry(link, nullptr);

    TarEntry attrs;
    attrs.path = "bin/ping";
    attrs.type = TarEntry::Type::kFile;
    attrs.size = 4;
    attrs.mode = 0755;
    attrs.uid = 1000;
    attrs.gid = 2000000;  // does not fit the octal ustar field: needs a PAX record
    attrs.uname = "alice";
    attrs.gname = "staff";
    attrs.mtime_sec = 1234567890;
    attrs.mtime_nsec = 123456789;
    attrs.xattrs = {{"security.capability", std::string("\x01\x00\x00\x02\x00\x20", 6)},
                    {"user.comment", "hello"}};
    StringReader ping("ping");
    writer.add_entry(attrs, &ping);

    TarEntry device;
    device.path = "dev/null";
    device.type = TarEntry::Type::kCharDevice;
    device.mode = 0666;
    device.dev_major = 1;
    device.dev_minor = 3;
    writer.add_entry(device, nullptr);
    device.path = "dev/sda";
    device.type = TarEntry::Type::kBlockDevice;
    device.dev_major = 8;
    device.dev_minor = 0;
    writer.add_entry(device, nullptr);
    TarEntry fifo;
    fifo.path = "run/fifo";
    fifo.type = TarEntry::Type::kFifo;
    fifo.mode = 0600;
    writer.add_entry(fifo, nullptr);
    writer.add_file(long_name, "long");
    writer.finish();
  }

  for (size_t chunk : {size_t{1 << 20}, size_t{511}}) {
    std::vector<ReadEntry> entries = read_tar(out.str(), chunk);
    ASSERT_EQ(entries.size(), 12u);
    const TarEntry& dir = entries[0].header;
    EXPECT_EQ(dir.path, "etc/");
    EXPECT_EQ(dir.type, TarEntry::Type::kDirectory);
    EXPECT_EQ(dir.mode, 0755u);
    EXPECT_EQ(dir.mtime_sec, 1700000000);

    EXPECT_EQ(entries[1].header.path, "etc/hosts");
    EXPECT_EQ(entries[1].header.type, TarEntry::Type::kFile);
    EXPECT_EQ(entries[1].header.size, 20u);
    EXPECT_EQ(entries[1].data, "127.0.0.1 localhost\n");
    EXPECT_EQ(entries[1].header.uid, 0);
    EXPECT_EQ(entries[1].header.mtime_sec, 1700000001);
    EXPECT_EQ(entries[2].header.size, 0u);
    EXPECT_EQ(entries[2].header.mode, 0600u);

    EXPECT_EQ(entries[3].header.mode, 04755u);
    EXPECT_EQ(entries[3].header.size, big.size());
    EXPECT_TRUE(entries[3].data == big);

    EXPECT_EQ(entries[4].header.type, TarEntry::Type::kSymlink);
    EXPECT_EQ(entries[4].header.link_target, "/usr/share/zoneinfo/UTC");
    EXPECT_EQ(entries[4].header.size, 0u);
    EXPECT_EQ(entries[5].header.path, long_name + ".link");
    EXPECT_EQ(entries[5].header.link_target, long_target);

    EXPECT_EQ(entries[6].header.type, TarEntry::Type::kHardlink);
    EXPECT_EQ(entries[6].header.link_target, "usr/bin/big");
    EXPECT_EQ(entries[6].header.size, 0u);
    EXPECT_EQ(entries[6].data, "");

    const TarEntry& ping = entries[7].header;
    EXPECT_EQ(entries[7].data, "ping");
    EXPECT_EQ(ping.uid, 1000);
    EXPECT_EQ(ping.gid, 2000000);
    EXPECT_EQ(ping.uname, "alice");
    EXPECT_EQ(ping.gname, "staff");
    EXPECT_EQ(ping.mtime_sec, 1234567890);
    EXPECT_EQ(ping.mtime_nsec, 123456789);
    std::vector<std::pair<std::string, std::string>> want_xattrs = {
        {"security.capability", std::string("\x01\x00\x00\x02\x00\x20", 6)},
        {"user.comment", "hello"}};
    std::vector<std::pair<std::string, std::string>> xattrs = ping.xattrs;
    std::sort(xattrs.begin(), xattrs.end());
    EXPECT_EQ(xattrs, want_xattrs);

    EXPECT_EQ(entries[8].header.type, TarEntry::Type::kCharDevice);
    EXPECT_EQ(entries[8].header.dev_major, 1u);
    EXPECT_EQ(entries[8].header.dev_minor, 3u);
    EXPECT_EQ(entries[9].header.type, TarEntry::Type::kBlockDevice);
    EXPECT_EQ(entries[9].header.dev_major, 8u);
    EXPECT_EQ(entries[10].header.type, TarEntry::Type::kFifo);
    EXPECT_EQ(entries[11].header.path, long_name);
    EXPECT_EQ(entries[11].data, "long");
  }
}

TEST(TarWriter, EndsLikeGoArchiveTar) {
  StringWriter out;
  TarWriter writer(out);
  writer.add_file("a", "x");
  writer.finish();
  // One header block, one data block, two zero blocks; no padding to a 10240-byte record.
  ASSERT_EQ(out.str().size(), 4u * 512);
  EXPECT_EQ(out.str().substr(2 * 512), std::string(1024, '\0'));
  EXPECT_EQ(out.str().substr(257, 8), std::string("ustar\0"
                                                  "00",
                                                  8));
}

TEST(TarWriter, EmptyArchive) {
  StringWriter out;
  TarWriter writer(out);
  writer.finish();
  EXPECT_EQ(out.str(), std::string(1024, '\0'));
  EXPECT_TRUE(read_tar(out.str()).empty());
}

TEST(TarWriter, OnlyXattrRecordsGoAndStorageRead) {
  StringWriter out;
  TarWriter writer(out);
  TarEntry entry;
  entry.path = "f";
  entry.xattrs = {{"user.k", "v"}};
  writer.add_entry(entry, nullptr);
  writer.finish();
  EXPECT_NE(out.str().find("SCHILY.xattr.user.k=v"), std::string::npos);
  EXPECT_EQ(out.str().find("LIBARCHIVE.xattr"), std::string::npos);
}

TEST(TarWriter, DataSizeMismatchIsIntegrityError) {
  {
    StringWriter out;
    TarWriter writer(out);
    StringReader short_data("abc");
    EXPECT_EQ(error_kind_of([&] { writer.add_file("f", 4, short_data); }), ErrorKind::kIntegrity);
    EXPECT_EQ(error_kind_of([&] { writer.add_file("g", ""); }), ErrorKind::kInternal);
  }
  {
    StringWriter out;
    TarWriter writer(out);
    StringReader long_data("abcde");
    std::string message;
    EXPECT_EQ(error_kind_of([&] { writer.add_file("f", 4, long_data); }, &message),
              ErrorKind::kIntegrity);
    EXPECT_NE(message.find("\"f\""), std::string::npos) << message;
  }
}

TEST(TarWriter, OutputErrorsPropagate) {
  test::FailingWriter out(10000);
  TarWriter writer(out);
  std::string data = make_data(100000);
  EXPECT_EQ(error_kind_of([&] {
              writer.add_file("a", data);
              writer.finish();
            }),
            ErrorKind::kIo);
  // Destroying the broken writer must not write or throw.
}

TEST(TarWriter, UnfinishedWriterWritesNothingMoreOnDestruction) {
  StringWriter out;
  {
    TarWriter writer(out);
    writer.add_file("a", std::string(2000, 'a'));
  }
  // Only what had been handed out before: no end blocks were added by the destructor.
  EXPECT_EQ(out.str().find(std::string(1024, '\0')), std::string::npos);
}

TEST(TarWriter, NonAsciiNamesRoundTrip) {
  std::string utf8 = "usr/share/d\xc3\xa9j\xc3\xa0/\xe6\x97\xa5\xe6\x9c\xac.txt";
  std::string latin1 = "opt/caf\xe9";  // not UTF-8: must survive as raw bytes
  StringWriter out;
  TarWriter writer(out);
  writer.add_file(utf8, "u");
  writer.add_file(latin1, "l");
  writer.add_symlink("link", utf8);
  writer.finish();
  std::vector<ReadEntry> entries = read_tar(out.str());
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].header.path, utf8);
  EXPECT_EQ(entries[1].header.path, latin1);
  EXPECT_EQ(entries[2].header.link_target, utf8);
}

TEST(TarWriter, SystemTarReadsOurOutput) {
  if (!test::have_tool("tar")) GTEST_SKIP() << "no tar tool";
  StringWriter out;
  TarWriter writer(out);
  writer.add_directory("d");
  writer.add_file("d/" + std::string(200, 'x'), "content");
  writer.add_symlink("d/s", "target");
  writer.finish();
  std::string listing = test::run_filter("tar -tf -", out.str());
  EXPECT_EQ(listing, "d/\nd/" + std::string(200, 'x') + "\nd/s\n");
  EXPECT_EQ(test::run_filter("tar -xOf - d/" + std::string(200, 'x'), out.str()), "content");
}

TEST(TarReader, ReadsSystemTarOutput) {
  if (!test::have_tool("tar")) GTEST_SKIP() << "no tar tool";
  TempDir dir(fs::temp_directory_path(), "tar-test");
  std::string long_dir = std::string(120, 'L');
  fs::create_directories(dir.path() / "root" / long_dir);
  write_file_atomic(dir.path() / "root" / long_dir / "file", "gnu long name");
  fs::create_symlink("../x", dir.path() / "root" / "sym");
  fs::create_hard_link(dir.path() / "root" / long_dir / "file", dir.path() / "root" / "hard");
  for (std::string format : {"gnu", "pax", "ustar"}) {
    if (format == "ustar")
      fs::rename(dir.path() / "root" / long_dir, dir.path() / "root" / "short");
    std::string cmd = "tar --format=" + format + " --sort=name -C '" +
                      (dir.path() / "root").string() + "' -cf - . ";
    std::string tar = test::run_filter(cmd, "");
    std::vector<ReadEntry> entries = read_tar(tar);
    ASSERT_EQ(entries.size(), 5u) << format;
    EXPECT_EQ(entries[0].header.path, "./");
    std::string file_dir = format == "ustar" ? "short" : long_dir;
    bool saw_file = false;
    bool saw_hard = false;
    for (const ReadEntry& e : entries) {
      if (e.header.path == "./" + file_dir + "/file" || e.header.path == "./hard") {
        if (e.header.type == TarEntry::Type::kFile) {
          EXPECT_EQ(e.data, "gnu long name") << format;
          saw_file = true;
        } else {
          EXPECT_EQ(e.header.type, TarEntry::Type::kHardlink) << format;
          saw_hard = true;
        }
      }
      if (e.header.path == "./sym") {
        EXPECT_EQ(e.header.link_target, "../x");
      }
    }
    EXPECT_TRUE(saw_file && saw_hard) << format;
    if (format == "ustar")
      fs::rename(dir.path() / "root" / "short", dir.path() / "root" / long_dir);
  }
}

std::string sample_tar() {
  StringWriter out;
  TarWriter writer(out);
  writer.add_directory("a");
  writer.add_file("a/one", make_data(3000, 1));
  writer.add_file("a/two", make_data(5000, 2));
  writer.finish();
  return std::move(out.str());
}

TEST(TarReader, SkipAndPartialReads) {
  std::string tar = sample_tar();
  StringReader in(tar);
  TarReader reader(in, "t");
  TarEntry entry;
  ASSERT_TRUE(reader.next(entry));
  ASSERT_TRUE(reader.next(entry));
  char buffer[10];
  EXPECT_EQ(reader.read(buffer, sizeof buffer), 10u);  // then skip the rest implicitly
  ASSERT_TRUE(reader.next(entry));
  EXPECT_EQ(entry.path, "a/two");
  reader.skip();
  EXPECT_EQ(reader.read(buffer, sizeof buffer), 0u);
  EXPECT_FALSE(reader.next(entry));
  EXPECT_EQ(reader.name(), "t");
}

TEST(TarReader, EmptyInputIsAnError) {
  StringReader in("");
  TarReader reader(in, "empty.tar");
  TarEntry entry;
  std::string message;
  EXPECT_EQ(error_kind_of([&] { reader.next(entry); }, &message), ErrorKind::kInvalidInput);
  EXPECT_NE(message.find("empty.tar: not a tar archive"), std::string::npos) << message;
}

TEST(TarReader, NotATar) {
  for (std::string input : {std::string("hello"), make_data(5000, 3),
                            std::string(100, '\0') + "x" + std::string(1000, 'y')}) {
    StringReader in(input);
    TarReader reader(in, "junk");
    TarEntry entry;
    std::string message;
    EXPECT_EQ(error_kind_of([&] { reader.next(entry); }, &message), ErrorKind::kInvalidInput);
    EXPECT_EQ(message, "junk: not a tar archive");
  }
  // A compressed tar is not a tar: decompression belongs to the Reader chain.
  StringWriter gz;
  auto writer = compress(gz, Compression::kGzip);
  writer->write(sample_tar());
  writer->finish();
  StringReader in(gz.str());
  TarReader reader(in, "layer.tar.gz");
  TarEntry entry;
  EXPECT_EQ(error_kind_of([&] { reader.next(entry); }), ErrorKind::kInvalidInput);
}

// sample_tar() layout: "a/" header at 0, "a/one" header at 512 and data at 1024..4096,
// "a/two" header at 4096 and data at 4608..9728, end blocks at 9728..10752.
constexpr size_t kSecondFileHeader = 4096;

TEST(TarReader, Truncated) {
  std::string tar = sample_tar();
  ASSERT_EQ(tar.size(), 10752u);
  for (size_t keep : {size_t{600}, size_t{1024 + 100}, kSecondFileHeader + 200, size_t{4608 + 4000},
                      size_t{4608 + 5000}}) {
    std::string message;
    EXPECT_EQ(error_kind_of([&] { read_tar(tar.substr(0, keep)); }, &message),
              ErrorKind::kInvalidInput)
        << keep;
    EXPECT_EQ(message, "test.tar: truncated tar archive") << keep;
  }
}

TEST(TarReader, MissingEndBlocksAreAccepted) {
  // Go's archive/tar and libarchive both take a clean end at an entry boundary as the end.
  std::string tar = sample_tar();
  std::vector<ReadEntry> entries = read_tar(tar.substr(0, tar.size() - 1024));
  EXPECT_EQ(entries.size(), 3u);
}

TEST(TarReader, DamagedHeader) {
  std::string tar = sample_tar();
  tar[kSecondFileHeader + 148] ^= 0x07;  // checksum field
  std::string message;
  EXPECT_EQ(error_kind_of([&] { read_tar(tar); }, &message), ErrorKind::kInvalidInput);
  EXPECT_EQ(message.rfind("test.tar: ", 0), 0u) << message;
}

TEST(TarReader, InputErrorsPropagate) {
  std::string tar = sample_tar();
  test::FailingReader in(std::string_view(tar).substr(0, 2000));
  TarReader reader(in, "t");
  EXPECT_EQ(error_kind_of([&] {
              TarEntry entry;
              while (reader.next(entry)) {
                test::read_in_chunks(reader.data(), 100);
              }
            }),
            ErrorKind::kNetwork);
}

TEST(CleanEntryPath, Normalizes) {
  EXPECT_EQ(clean_entry_path("./a", "x"), "a");
  EXPECT_EQ(clean_entry_path("a/", "x"), "a");
  EXPECT_EQ(clean_entry_path("./a/b/", "x"), "a/b");
  EXPECT_EQ(clean_entry_path("a//b/./c", "x"), "a/b/c");
  EXPECT_EQ(clean_entry_path("././a", "x"), "a");
  EXPECT_EQ(clean_entry_path(".", "x"), "");
  EXPECT_EQ(clean_entry_path("./", "x"), "");
  EXPECT_EQ(clean_entry_path("a/.wh..wh..opq", "x"), "a/.wh..wh..opq");
  EXPECT_EQ(clean_entry_path("..a/b..", "x"), "..a/b..");
  EXPECT_EQ(clean_entry_path("...", "x"), "...");
}

TEST(CleanEntryPath, RejectsEscapes) {
  for (std::string_view raw : {"a/../b", "..", "../etc", "a/..", "./../x", "a/b/../../.."}) {
    std::string message;
    EXPECT_EQ(error_kind_of([&] { clean_entry_path(raw, "layer.tar"); }, &message),
              ErrorKind::kInvalidInput)
        << raw;
    EXPECT_EQ(message, "layer.tar: tar entry \"" + std::string(raw) + "\" escapes the root");
  }
  std::string message;
  EXPECT_EQ(error_kind_of([&] { clean_entry_path("/etc/passwd", "l"); }, &message),
            ErrorKind::kInvalidInput);
  EXPECT_EQ(message, "l: tar entry \"/etc/passwd\" escapes the root");
  EXPECT_EQ(error_kind_of([&] { clean_entry_path("//a", "l"); }), ErrorKind::kInvalidInput);
}

}  // namespace
}  // namespace schicht
