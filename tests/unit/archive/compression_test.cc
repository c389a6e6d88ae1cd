#include "archive/compression.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

#include "archive_test_util.h"
#include "core/error.h"

namespace schicht {
namespace {

using test::ChunkedReader;
using test::error_kind_of;
using test::make_data;

std::string compress_string(std::string_view data, Compression compression,
                            int level = kDefaultCompressionLevel) {
  StringWriter out;
  auto writer = compress(out, compression, level);
  // Several writes of odd sizes, as a tar writer would issue them.
  for (size_t pos = 0; pos < data.size();) {
    size_t n = std::min<size_t>(data.size() - pos, 70001);
    writer->write(data.data() + pos, n);
    pos += n;
  }
  writer->finish();
  return std::move(out.str());
}

std::string decompress_string(std::string_view raw, size_t raw_chunk = 1 << 20,
                              size_t read_chunk = 1 << 20, Compression* detected = nullptr) {
  ChunkedReader in(raw, raw_chunk);
  auto reader = decompress(in);
  if (detected != nullptr) *detected = reader->compression();
  return test::read_in_chunks(*reader, read_chunk);
}

// zlib as an independent gzip implementation, for interoperability in both directions.
std::string zlib_gzip(std::string_view data, int level = 9) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, data.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string zlib_gunzip(std::string_view gz) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 15 + 16), Z_OK);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  z.avail_in = static_cast<uInt>(gz.size());
  std::string out;
  char buffer[65536];
  int rc;
  do {
    z.next_out = reinterpret_cast<Bytef*>(buffer);
    z.avail_out = sizeof buffer;
    rc = inflate(&z, Z_NO_FLUSH);
    EXPECT_TRUE(rc == Z_OK || rc == Z_STREAM_END) << rc;
    out.append(buffer, sizeof buffer - z.avail_out);
  } while (rc == Z_OK);
  EXPECT_EQ(z.avail_in, 0u) << "bytes after the gzip member";
  inflateEnd(&z);
  return out;
}

TEST(DetectCompression, MagicBytes) {
  EXPECT_EQ(detect_compression(std::string_view("\x1f\x8b\x08\x00", 4)), Compression::kGzip);
  EXPECT_EQ(detect_compression("\x28\xb5\x2f\xfd\x04"), Compression::kZstd);
  EXPECT_EQ(detect_compression("BZh91AY"), Compression::kBzip2);
  EXPECT_EQ(detect_compression(std::string_view("\xfd"
                                                "7zXZ\x00\x00",
                                                7)),
            Compression::kXz);
  EXPECT_EQ(detect_compression("hello world"), Compression::kNone);
  EXPECT_EQ(detect_compression(""), Compression::kNone);
  // Too short to be sure, or almost a magic number.
  EXPECT_EQ(detect_compression("\x1f\x8b"), Compression::kNone);
  EXPECT_EQ(detect_compression("\x1f\x8b\x07"), Compression::kNone);
  EXPECT_EQ(detect_compression(std::string_view("\xfd"
                                                "7zXZ",
                                                5)),
            Compression::kNone);
  EXPECT_EQ(detect_compression("BZ"), Compression::kNone);
}

TEST(DetectCompression, NamesRoundTrip) {
  for (Compression c : {Compression::kNone, Compression::kGzip, Compression::kZstd,
                        Compression::kBzip2, Compression::kXz}) {
    EXPECT_EQ(parse_compression(compression_name(c)), c);
  }
  EXPECT_EQ(compression_name(Compression::kGzip), "gzip");
  EXPECT_EQ(compression_name(Compression::kZstd), "zstd");
  EXPECT_FALSE(parse_compression("lz4").has_value());
}

class RoundTrip : public testing::TestWithParam<Compression> {};

TEST_P(RoundTrip, SizesAndChunking) {
  for (size_t size : {size_t{0}, size_t{1}, size_t{5}, size_t{4096}, size_t{3 << 20} + 17}) {
    std::string data = make_data(size, static_cast<uint32_t>(size));
    std::string packed = compress_string(data, GetParam());
    if (GetParam() != Compression::kNone && size > 4096) {
      EXPECT_LT(packed.size(), data.size());
    }
    Compression detected = Compression::kBzip2;
    EXPECT_EQ(decompress_string(packed, 1 << 20, 1 << 20, &detected), data) << size;
    EXPECT_EQ(detected,
              size == 0 && GetParam() == Compression::kNone ? Compression::kNone : GetParam());
    EXPECT_EQ(decompress_string(packed, 4093, 7919), data) << size;
  }
}

TEST_P(RoundTrip, TinyReadsAndWrites) {
  std::string data = make_data(50000, 7);
  std::string packed = compress_string(data, GetParam());
  EXPECT_EQ(decompress_string(packed, 1, 3), data);
  EXPECT_EQ(decompress_string(packed, 3, 1), data);
}

TEST_P(RoundTrip, EmptyWritesAndFinishTwice) {
  StringWriter out;
  auto writer = compress(out, GetParam());
  writer->write("", 0);
  writer->write("abc");
  writer->write("", 0);
  writer->finish();
  writer->finish();
  EXPECT_EQ(decompress_string(out.str()), "abc");
  EXPECT_EQ(error_kind_of([&] { writer->write("x"); }), ErrorKind::kInternal);
}

INSTANTIATE_TEST_SUITE_P(Formats, RoundTrip,
                         testing::Values(Compression::kNone, Compression::kGzip,
                                         Compression::kZstd),
                         [](const testing::TestParamInfo<Compression>& info) {
                           return std::string(compression_name(info.param));
                         });

TEST(Gzip, AllLevelsRoundTrip) {
  std::string data = make_data(300000, 3);
  for (int level = -1; level <= 9; ++level) {
    std::string packed = compress_string(data, Compression::kGzip, level);
    EXPECT_EQ(decompress_string(packed), data) << level;
    EXPECT_EQ(zlib_gunzip(packed), data) << level;
  }
}

TEST(Gzip, ReadsZlibOutput) {
  std::string data = make_data(2 << 20, 11);
  EXPECT_EQ(decompress_string(zlib_gzip(data)), data);
  EXPECT_EQ(decompress_string(zlib_gzip(data, 1), 1000, 333), data);
  EXPECT_EQ(decompress_string(zlib_gzip("")), "");
}

TEST(Gzip, MultiMember) {
  std::string a = make_data(1500000, 1);
  std::string b = make_data(70000, 2);
  std::string c = make_data(0, 3);
  std::string packed = compress_string(a, Compression::kGzip) + zlib_gzip(b) +
                       compress_string(c, Compression::kGzip) + zlib_gzip("tail");
  std::string want = a + b + c + "tail";
  EXPECT_EQ(decompress_string(packed), want);
  EXPECT_EQ(decompress_string(packed, 1 << 20, 1013), want);
  // Member boundaries at every position of the input chunks.
  std::string small = zlib_gzip("first member ") + zlib_gzip("second") + zlib_gzip("!");
  for (size_t chunk = 1; chunk <= small.size(); ++chunk) {
    EXPECT_EQ(decompress_string(small, chunk, 5), "first member second!") << chunk;
  }
}

TEST(Gzip, Truncated) {
  std::string packed = compress_string(make_data(200000, 5), Compression::kGzip);
  for (size_t keep : {size_t{3}, size_t{10}, size_t{11}, packed.size() / 2, packed.size() - 8,
                      packed.size() - 4, packed.size() - 1}) {
    std::string message;
    EXPECT_EQ(error_kind_of([&] { decompress_string(packed.substr(0, keep)); }, &message),
              ErrorKind::kInvalidInput)
        << keep;
    EXPECT_NE(message.find("unexpected end of compressed stream"), std::string::npos) << message;
  }
  // A truncated second member too.
  std::string two = zlib_gzip("one") + zlib_gzip("two");
  EXPECT_EQ(error_kind_of([&] { decompress_string(two.substr(0, two.size() - 2)); }),
            ErrorKind::kInvalidInput);
  EXPECT_EQ(error_kind_of([&] { decompress_string(two + "\x1f"); }), ErrorKind::kInvalidInput);
}

TEST(Gzip, CorruptionAndTrailingGarbage) {
  std::string packed = compress_string(make_data(100000, 6), Compression::kGzip);
  std::string message;
  EXPECT_EQ(error_kind_of([&] { decompress_string(packed + "garbage"); }, &message),
            ErrorKind::kInvalidInput);
  EXPECT_NE(message.find("after the end"), std::string::npos) << message;
  EXPECT_EQ(error_kind_of([&] { decompress_string(packed + std::string(512, '\0')); }),
            ErrorKind::kInvalidInput);
  std::string bad_crc = packed;
  bad_crc[bad_crc.size() - 6] ^= 0x55;
  EXPECT_EQ(error_kind_of([&] { decompress_string(bad_crc); }, &message), ErrorKind::kInvalidInput);
  EXPECT_NE(message.find("checksum"), std::string::npos) << message;
  std::string bad_length = packed;
  bad_length[bad_length.size() - 2] ^= 0x01;
  EXPECT_EQ(error_kind_of([&] { decompress_string(bad_length); }), ErrorKind::kInvalidInput);
  std::string bad_body = packed;
  for (size_t i = 20; i < 200; ++i) bad_body[i] = static_cast<char>(0xff);
  EXPECT_EQ(error_kind_of([&] { decompress_string(bad_body); }), ErrorKind::kInvalidInput);
}

TEST(Gzip, OurOutputReadsWithGzipTool) {
  if (!test::have_tool("gzip")) GTEST_SKIP() << "no gzip tool";
  std::string data = make_data(1 << 20, 8);
  EXPECT_EQ(test::run_filter("gzip -dc", compress_string(data, Compression::kGzip)), data);
  EXPECT_EQ(decompress_string(test::run_filter("gzip -c -6", data)), data);
}

TEST(Zstd, MultiFrameAndSkippable) {
  std::string a = make_data(1200000, 1);
  std::string b = make_data(1000, 2);
  // A skippable frame: magic 0x184D2A50, 4-byte length, payload.
  std::string skippable("\x50\x2a\x4d\x18\x03\x00\x00\x00xyz", 11);
  std::string packed =
      compress_string(a, Compression::kZstd) + skippable + compress_string(b, Compression::kZstd);
  EXPECT_EQ(decompress_string(packed), a + b);
  EXPECT_EQ(decompress_string(packed, 777, 1 << 16), a + b);
}

TEST(Zstd, Truncated) {
  std::string packed = compress_string(make_data(200000, 5), Compression::kZstd);
  for (size_t keep : {size_t{4}, size_t{6}, size_t{20}, packed.size() / 2, packed.size() - 4,
                      packed.size() - 1}) {
    std::string message;
    EXPECT_EQ(error_kind_of([&] { decompress_string(packed.substr(0, keep)); }, &message),
              ErrorKind::kInvalidInput)
        << keep;
    EXPECT_NE(message.find("unexpected end of compressed stream"), std::string::npos) << message;
  }
}

TEST(Zstd, CorruptionAndTrailingGarbage) {
  std::string packed = compress_string(make_data(100000, 6), Compression::kZstd);
  EXPECT_EQ(error_kind_of([&] { decompress_string(packed + "garbage!"); }),
            ErrorKind::kInvalidInput);
  std::string bad = packed;
  bad[bad.size() - 2] ^= 0x40;  // inside the content checksum
  EXPECT_EQ(error_kind_of([&] { decompress_string(bad); }), ErrorKind::kInvalidInput);
}

TEST(Zstd, LevelsAndToolInterop) {
  std::string data = make_data(1 << 20, 9);
  for (int level : {1, 3, 19}) {
    EXPECT_EQ(decompress_string(compress_string(data, Compression::kZstd, level)), data) << level;
  }
  if (!test::have_tool("zstd")) GTEST_SKIP() << "no zstd tool";
  EXPECT_EQ(test::run_filter("zstd -q -dc", compress_string(data, Compression::kZstd)), data);
  EXPECT_EQ(decompress_string(test::run_filter("zstd -q -c -3", data)), data);
}

TEST(OtherFormats, Bzip2AndXzRead) {
  std::string data = make_data(300000, 10);
  if (test::have_tool("bzip2")) {
    std::string packed = test::run_filter("bzip2 -c", data);
    Compression detected = Compression::kNone;
    EXPECT_EQ(decompress_string(packed, 4096, 1 << 20, &detected), data);
    EXPECT_EQ(detected, Compression::kBzip2);
    EXPECT_EQ(error_kind_of([&] { decompress_string(packed.substr(0, packed.size() / 2)); }),
              ErrorKind::kInvalidInput);
  }
  if (test::have_tool("xz")) {
    std::string packed = test::run_filter("xz -c", data);
    Compression detected = Compression::kNone;
    EXPECT_EQ(decompress_string(packed, 4096, 1 << 20, &detected), data);
    EXPECT_EQ(detected, Compression::kXz);
    EXPECT_EQ(error_kind_of([&] { decompress_string(packed.substr(0, packed.size() / 2)); }),
              ErrorKind::kInvalidInput);
  }
}

TEST(OtherFormats, WritingIsUnsupported) {
  StringWriter out;
  EXPECT_EQ(error_kind_of([&] { compress(out, Compression::kBzip2); }), ErrorKind::kUnsupported);
  EXPECT_EQ(error_kind_of([&] { compress(out, Compression::kXz); }), ErrorKind::kUnsupported);
}

TEST(Decompress, ErrorsOfTheRawStreamPassThrough) {
  std::string packed = compress_string(make_data(300000, 12), Compression::kGzip);
  for (std::string_view raw : {std::string_view(packed).substr(0, 2),
                               std::string_view(packed).substr(0, packed.size() / 2)}) {
    test::FailingReader in(raw);
    EXPECT_EQ(error_kind_of([&] {
                auto reader = decompress(in);
                test::read_in_chunks(*reader, 1 << 16);
              }),
              ErrorKind::kNetwork);
  }
}

TEST(Decompress, PassthroughKeepsTheSniffedBytes) {
  for (std::string data : {std::string("a"), std::string("\x1f\x8b"), std::string("BZ"),
                           std::string("hello, world")}) {
    EXPECT_EQ(decompress_string(data, 1, 1), data);
  }
}

}  // namespace
}  // namespace schicht
