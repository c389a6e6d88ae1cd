#include "content/stored_layer.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "core/error.h"
#include "core/fs.h"
#include "error_of.h"

namespace schicht {
namespace {

// A fresh blob store per test, and a layer's plain bytes to store in each compression.
class StoredLayerTest : public ::testing::Test {
 protected:
  StoredLayerTest() : dir_(temp_root(), "schicht-stored-layer-test"), blobs_(dir_.path()) {}

  // Stores `plain` compressed as `compression` and returns the blob's digest.
  Digest put(Compression compression) {
    StringWriter out;
    auto writer = compress(out, compression);
    writer->write(plain_.data(), plain_.size());
    writer->finish();
    return blobs_.put(out.str());
  }

  std::string read_back(const Digest& digest) {
    StoredLayerReader reader(blobs_, digest);
    return read_all(reader, 1 << 20, "layer");
  }

  TempDir dir_;
  BlobStore blobs_;
  const std::string plain_ = std::string(100000, 'x') + "a layer's tar, or any bytes";
};

TEST_F(StoredLayerTest, ReadsEachCompressionBackAsThePlainBytes) {
  for (Compression c : {Compression::kNone, Compression::kGzip, Compression::kZstd}) {
    Digest digest = put(c);
    EXPECT_EQ(read_back(digest), plain_) << compression_name(c);
    EXPECT_EQ(StoredLayerReader(blobs_, digest).compression(), c) << compression_name(c);
    EXPECT_EQ(stored_compression(blobs_, digest), c) << compression_name(c);
  }
}

TEST_F(StoredLayerTest, OutlivesTheScopeThatOpenedIt) {
  // snapshot::LayerSource openers hand the reader out: it must own everything it reads from.
  Digest digest = put(Compression::kGzip);
  auto open = [&] { return std::make_unique<StoredLayerReader>(blobs_, digest); };
  std::unique_ptr<Reader> reader = open();
  EXPECT_EQ(read_all(*reader, 1 << 20, "layer"), plain_);
}

TEST_F(StoredLayerTest, AnAbsentBlobIsNotFound) {
  Digest absent = Digest::sha256_of("never stored");
  error_of(ErrorKind::kNotFound, [&] { StoredLayerReader reader(blobs_, absent); });
  error_of(ErrorKind::kNotFound, [&] { stored_compression(blobs_, absent); });
}

TEST_F(StoredLayerTest, ATruncatedStreamFailsWhileReading) {
  StringWriter out;
  auto writer = compress(out, Compression::kGzip);
  writer->write(plain_.data(), plain_.size());
  writer->finish();
  std::string bytes = out.str();
  Digest digest = blobs_.put(bytes.substr(0, bytes.size() / 2));
  std::string message = error_of(ErrorKind::kInvalidInput, [&] { read_back(digest); });
  EXPECT_NE(message.find("unexpected end of compressed stream"), std::string::npos) << message;
}

TEST_F(StoredLayerTest, AnEmptyBlobIsAnEmptyLayer) {
  Digest digest = blobs_.put("");
  EXPECT_EQ(read_back(digest), "");
  EXPECT_EQ(stored_compression(blobs_, digest), Compression::kNone);
}

}  // namespace
}  // namespace schicht
