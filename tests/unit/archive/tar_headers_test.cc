#include "archive/tar_headers.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "archive/tar_reader.h"
#include "archive_test_util.h"
#include "error_of.h"

namespace schicht {
namespace {

// A ustar header block with a valid checksum.
std::string header(std::string_view name, char type, size_t size) {
  std::string h(512, '\0');
  std::memcpy(h.data(), name.data(), name.size());
  std::snprintf(&h[100], 8, "%07o", 0644);
  std::snprintf(&h[108], 8, "%07o", 0);
  std::snprintf(&h[116], 8, "%07o", 0);
  std::snprintf(&h[124], 12, "%011zo", size);
  std::snprintf(&h[136], 12, "%011o", 0);
  h[156] = type;
  std::memcpy(&h[257],
              "ustar\0"
              "00",
              8);
  std::memset(&h[148], ' ', 8);
  unsigned sum = 0;
  for (char c : h) sum += static_cast<unsigned char>(c);
  std::snprintf(&h[148], 7, "%06o", sum);
  return h;
}

std::string padded(std::string data) {
  data.resize((data.size() + 511) / 512 * 512, '\0');
  return data;
}

// "<length> key=value\n", the length counting itself.
std::string record(std::string_view key, std::string_view value) {
  size_t body = 1 + key.size() + 1 + value.size() + 1;
  size_t length = body + 1;
  while (std::to_string(length).size() + body != length) ++length;
  return std::to_string(length) + " " + std::string(key) + "=" + std::string(value) + "\n";
}

// One file entry "x" with data "hi", preceded by a PAX header holding `records`.
std::string tar_with_pax(const std::string& records) {
  return header("PaxHeader/x", 'x', records.size()) + padded(records) + header("x", '0', 2) +
         padded("hi") + std::string(1024, '\0');
}

std::string with_nul(std::string_view before, std::string_view after) {
  return std::string(before) + std::string(1, '\0') + std::string(after);
}

TEST(PaxRecordWithNul, FindsPathAndLinkpathWithANulByte) {
  EXPECT_EQ(pax_record_with_nul(tar_with_pax(record("path", with_nul("etc/passwd", "x")))), "path");
  EXPECT_EQ(pax_record_with_nul(
                tar_with_pax(record("mtime", "1") + record("linkpath", with_nul("/etc", "y")))),
            "linkpath");
  EXPECT_EQ(pax_record_with_nul(tar_with_pax(record("uname", with_nul("root", "")))), "uname");
}

TEST(PaxRecordWithNul, AcceptsCleanRecordsAndOtherKeys) {
  EXPECT_EQ(pax_record_with_nul(tar_with_pax(record("path", "a/b"))), std::nullopt);
  // Values of other keys are bytes (xattrs may hold NULs).
  EXPECT_EQ(pax_record_with_nul(tar_with_pax(record("SCHILY.xattr.user.x", with_nul("a", "b")))),
            std::nullopt);
  EXPECT_EQ(pax_record_with_nul(header("x", '0', 0) + std::string(1024, '\0')), std::nullopt);
  // Malformed or cut input ends the walk without a finding.
  EXPECT_EQ(pax_record_with_nul(tar_with_pax("99999 path=a\n")), std::nullopt);
  EXPECT_EQ(pax_record_with_nul(""), std::nullopt);
  EXPECT_EQ(pax_record_with_nul(header("PaxHeader/x", 'x', 100000)), std::nullopt);
}

TEST(HeaderWindow, KeepsTheLatestBytesAndAllWhileHolding) {
  HeaderWindow window;
  std::string chunk(1 << 20, 'a');
  for (int i = 0; i < 10; ++i) window.append(chunk.data(), chunk.size());
  EXPECT_FALSE(window.since(0));
  ASSERT_TRUE(window.since(10u << 20));
  EXPECT_EQ(window.since(9u << 20)->size(), 1u << 20);
  window.hold(true);
  for (int i = 0; i < 10; ++i) window.append(chunk.data(), chunk.size());
  ASSERT_TRUE(window.since(9u << 20));
  EXPECT_EQ(window.since(9u << 20)->size(), 11u << 20);
}

TEST(TarReaderPax, RefusesANulInAPaxPathAsGoDoes) {
  std::string tar = tar_with_pax(record("path", with_nul("etc/passwd", ".ignored")));
  // Read in small pieces and in one, so the window meets every buffer boundary.
  for (size_t chunk : {size_t{7}, size_t{512}, tar.size()}) {
    test::ChunkedReader in(tar, chunk);
    TarReader reader(in, "t.tar");
    TarEntry entry;
    std::string message = error_of(ErrorKind::kInvalidInput, [&] { reader.next(entry); });
    EXPECT_EQ(message,
              "t.tar: invalid tar header: the PAX path record of tar entry \"etc/passwd\" holds a "
              "NUL byte");
  }
}

TEST(TarReaderPax, ReadsCleanPaxEntriesAfterLargeOnes) {
  std::string big(3 << 20, 'z');
  std::string tar = header("big", '0', big.size()) + padded(big) +
                    header("PaxHeader/x", 'x', record("path", "dir/x").size()) +
                    padded(record("path", "dir/x")) + header("x", '0', 2) + padded("hi") +
                    std::string(1024, '\0');
  test::ChunkedReader in(tar, 100000);
  TarReader reader(in, "t.tar");
  TarEntry entry;
  ASSERT_TRUE(reader.next(entry));  // its data is skipped, not read
  ASSERT_TRUE(reader.next(entry));
  EXPECT_EQ(entry.path, "dir/x");
  EXPECT_FALSE(reader.next(entry));
}

}  // namespace
}  // namespace schicht
