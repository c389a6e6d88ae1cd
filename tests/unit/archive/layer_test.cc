#include "archive/layer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "archive/compression.h"
#include "archive/tar_writer.h"
#include "archive_test_util.h"
#include "core/error.h"

namespace schicht {
namespace {

using test::error_kind_of;
using test::make_data;

std::string layer_tar(size_t file_size = 3 << 20) {
  StringWriter out;
  TarWriter writer(out);
  writer.add_directory("usr");
  writer.add_file("usr/data.bin", make_data(file_size, 21));
  writer.add_symlink("usr/link", "data.bin");
  writer.add_file("etc/os-release", "ID=schicht\n");
  writer.finish();
  return std::move(out.str());
}

std::string compress_string(std::string_view data, Compression compression) {
  StringWriter out;
  auto writer = compress(out, compression);
  writer->write(data);
  writer->finish();
  return std::move(out.str());
}

TEST(DigestLayer, SameDiffIdForEveryCompression) {
  std::string tar = layer_tar();
  Digest want_diff_id = Digest::sha256_of(tar);
  for (Compression compression : {Compression::kNone, Compression::kGzip, Compression::kZstd}) {
    std::string blob = compress_string(tar, compression);
    test::ChunkedReader in(blob, 100003);
    StringWriter sink;
    LayerDigests d = digest_layer(in, &sink);
    EXPECT_EQ(d.compression, compression);
    EXPECT_EQ(d.digest, Digest::sha256_of(blob));
    EXPECT_EQ(d.size, blob.size());
    EXPECT_EQ(d.diff_id, want_diff_id);
    EXPECT_EQ(d.uncompressed_size, tar.size());
    EXPECT_TRUE(sink.str() == blob) << "the sink gets the raw bytes";
  }
}

TEST(DigestLayer, ToolCompressedLayers) {
  std::string tar = layer_tar(1 << 20);
  for (std::string command : {"gzip -c", "zstd -q -c", "xz -c -0"}) {
    if (!test::have_tool(command.substr(0, command.find(' ')))) continue;
    std::string blob = test::run_filter(command, tar);
    StringReader in(blob);
    LayerDigests d = digest_layer(in, nullptr);
    EXPECT_EQ(d.diff_id, Digest::sha256_of(tar)) << command;
    EXPECT_EQ(d.digest, Digest::sha256_of(blob)) << command;
  }
}

TEST(DigestLayer, TrailingBytesAfterEndBlocksAreHashed) {
  // Some producers pad a layer to a record size; the DiffID covers the padding.
  std::string tar = layer_tar(1000);
  tar += std::string(10240 - tar.size() % 10240, '\0');
  std::string blob = compress_string(tar, Compression::kGzip);
  StringReader in(blob);
  LayerDigests d = digest_layer(in, nullptr);
  EXPECT_EQ(d.diff_id, Digest::sha256_of(tar));
  EXPECT_EQ(d.uncompressed_size, tar.size());
}

TEST(DigestLayer, EmptyTarLayer) {
  std::string tar(1024, '\0');
  std::string blob = compress_string(tar, Compression::kGzip);
  StringReader in(blob);
  EXPECT_EQ(digest_layer(in, nullptr).diff_id, Digest::sha256_of(tar));
}

TEST(DigestLayer, CorruptLayers) {
  std::string tar = layer_tar(200000);
  std::string message;

  std::string gz = compress_string(tar, Compression::kGzip);
  StringReader truncated(std::string_view(gz).substr(0, gz.size() - 3));
  EXPECT_EQ(error_kind_of([&] { digest_layer(truncated, nullptr, "sha256:abc"); }, &message),
            ErrorKind::kInvalidInput);
  EXPECT_EQ(message, "sha256:abc: gzip: unexpected end of compressed stream");

  std::string cut_tar = tar.substr(0, 100000);
  std::string cut_blob = compress_string(cut_tar, Compression::kZstd);
  StringReader in(cut_blob);
  EXPECT_EQ(error_kind_of([&] { digest_layer(in, nullptr, "sha256:def"); }, &message),
            ErrorKind::kInvalidInput);
  EXPECT_EQ(message, "sha256:def: truncated tar archive");

  std::string not_tar = compress_string(make_data(100000, 5), Compression::kGzip);
  StringReader junk(not_tar);
  EXPECT_EQ(error_kind_of([&] { digest_layer(junk, nullptr, "L"); }, &message),
            ErrorKind::kInvalidInput);
  EXPECT_EQ(message, "L: not a tar archive");

  std::string garbage = gz + "trailing";
  StringReader tail(garbage);
  EXPECT_EQ(error_kind_of([&] { digest_layer(tail, nullptr, "L"); }), ErrorKind::kInvalidInput);
}

TEST(DigestLayer, SinkAndSourceErrorsPropagate) {
  std::string blob = compress_string(layer_tar(500000), Compression::kGzip);
  test::FailingWriter sink(1000);
  StringReader in(blob);
  EXPECT_EQ(error_kind_of([&] { digest_layer(in, &sink); }), ErrorKind::kIo);
  test::FailingReader failing(std::string_view(blob).substr(0, blob.size() / 2));
  EXPECT_EQ(error_kind_of([&] { digest_layer(failing, nullptr); }), ErrorKind::kNetwork);
}

// Run with --gtest_also_run_disabled_tests to print throughput figures.
TEST(DigestLayer, DISABLED_Throughput) {
  std::string tar = layer_tar(256 << 20);
  auto seconds = [](auto fn) {
    auto start = std::chrono::steady_clock::now();
    fn();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  double mib = static_cast<double>(tar.size()) / (1 << 20);
  for (Compression compression : {Compression::kNone, Compression::kGzip, Compression::kZstd}) {
    std::string blob;
    double c = seconds([&] { blob = compress_string(tar, compression); });
    StringReader in(blob);
    double d = seconds([&] { digest_layer(in, nullptr); });
    std::printf("%-5s ratio %.3f  compress %.0f MiB/s  digest_layer %.0f MiB/s (uncompressed)\n",
                std::string(compression_name(compression)).c_str(),
                static_cast<double>(blob.size()) / tar.size(), mib / c, mib / d);
  }
}

}  // namespace
}  // namespace schicht
