#include "core/digest.h"

#include <gtest/gtest.h>

#include <string>

#include "core/error.h"
#include "core/io.h"

namespace schicht {
namespace {

// sha256 of the two bytes "{}", the empty JSON object: a digest that shows up in real configs.
constexpr char kEmptyObject[] =
    "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";
constexpr char kEmptySha512[] =
    "sha512:cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318"
    "d2877eec2f63b931bd47417a81a538327af927da3e";

std::string parse_error(std::string_view text) {
  try {
    Digest::parse(text);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidInput) << text;
    return e.what();
  }
  return "";
}

TEST(DigestTest, HashesTheEmptyObject) {
  Digest d = Digest::sha256_of("{}");
  EXPECT_EQ(d.str(), kEmptyObject);
  EXPECT_EQ(d.algorithm(), DigestAlgorithm::kSha256);
  EXPECT_EQ(d.algorithm_name(), "sha256");
  EXPECT_EQ(d.hex(), std::string(kEmptyObject).substr(7));
  EXPECT_EQ(d.short_hex(), "44136fa355b3");
}

// Hex is checked eight bytes at a time: a wrong byte is caught at every position, whatever
// its value (those near the hex ranges' edges, and bytes with the top bit set).
TEST(DigestTest, RejectsAWrongByteAnywhere) {
  const std::string good = kEmptyObject;
  EXPECT_TRUE(Digest::try_parse(good));
  for (size_t at = 7; at < good.size(); ++at) {
    for (int byte = 0; byte < 256; ++byte) {
      char c = static_cast<char>(byte);
      bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
      std::string text = good;
      text[at] = c;
      EXPECT_EQ(Digest::try_parse(text).has_value(), hex) << at << " " << byte;
    }
  }
}

TEST(DigestTest, ParsesWhatItPrints) {
  Digest d = Digest::parse(kEmptyObject);
  EXPECT_EQ(d, Digest::sha256_of("{}"));
  EXPECT_EQ(Digest::from_sha256_hex(d.hex()), d);
  EXPECT_TRUE(Digest::try_parse(kEmptyObject).has_value());
}

TEST(DigestTest, ParsesSha512) {
  Digest d = Digest::parse(kEmptySha512);
  EXPECT_EQ(d.algorithm(), DigestAlgorithm::kSha512);
  EXPECT_EQ(d.algorithm_name(), "sha512");
  EXPECT_EQ(d.hex().size(), 128u);
  Hasher h(DigestAlgorithm::kSha512);
  EXPECT_EQ(h.finish(), d);
}

TEST(DigestTest, RejectsUppercaseHex) {
  std::string upper = "sha256:44136FA355B3678A1146AD16F7E8649E94FB4FC21FE77E8310C060F61CAAFF8A";
  EXPECT_FALSE(Digest::try_parse(upper).has_value());
  EXPECT_NE(parse_error(upper).find("invalid checksum digest format"), std::string::npos);
}

TEST(DigestTest, RejectsWrongLengths) {
  std::string full = kEmptyObject;
  for (std::string text : {full.substr(0, full.size() - 1), full + "0", std::string("sha256:"),
                           std::string("sha512:") + full.substr(7)}) {
    EXPECT_FALSE(Digest::try_parse(text).has_value()) << text;
    EXPECT_FALSE(parse_error(text).empty()) << text;
  }
}

TEST(DigestTest, RejectsUnknownAlgorithmsAndJunk) {
  std::string hex = std::string(kEmptyObject).substr(7);
  EXPECT_NE(parse_error("md5:" + hex).find("unsupported digest algorithm"), std::string::npos);
  EXPECT_NE(parse_error("sha384:" + hex).find("unsupported digest algorithm"), std::string::npos);
  for (std::string text : {hex, std::string(), std::string(":") + hex, "sha256:" + hex + " ",
                           "sha256:" + hex.substr(0, 63) + "g"}) {
    EXPECT_FALSE(Digest::try_parse(text).has_value()) << text;
    EXPECT_FALSE(parse_error(text).empty()) << text;
  }
}

TEST(DigestTest, KnowsBareImageIds) {
  std::string hex = std::string(kEmptyObject).substr(7);
  EXPECT_TRUE(Digest::is_sha256_hex(hex));
  EXPECT_FALSE(Digest::is_sha256_hex(hex.substr(1)));
  EXPECT_FALSE(Digest::is_sha256_hex(kEmptyObject));
  EXPECT_FALSE(
      Digest::is_sha256_hex("44136FA355B3678A1146AD16F7E8649E94FB4FC21FE77E8310C060F61CAAFF8A"));
}

TEST(DigestTest, StreamsAndOneShotAgree) {
  Hasher h;
  h.update("{");
  h.update("}");
  EXPECT_EQ(h.finish().str(), kEmptyObject);

  StringReader source("{}");
  HashingReader reader(source);
  char buffer[8];
  while (reader.read(buffer, 1) != 0) {
  }
  EXPECT_EQ(reader.count(), 2u);
  EXPECT_EQ(reader.finish().str(), kEmptyObject);

  StringWriter sink;
  HashingWriter writer(&sink);
  writer.write("{}");
  EXPECT_EQ(writer.count(), 2u);
  EXPECT_EQ(writer.finish().str(), kEmptyObject);
  EXPECT_EQ(sink.str(), "{}");
}

TEST(DigestTest, ChainIdOfTwoLayers) {
  Digest a = Digest::sha256_of("layerA");
  Digest b = Digest::sha256_of("layerB");
  EXPECT_EQ(a.str(), "sha256:104c1f7b3d5af56290464a3622adcfabe1fec9b0a1b2942561b840b0b0559ca6");
  EXPECT_EQ(chain_id(a, b).str(),
            "sha256:0382d00a3a546be97a3145c48374b3e50659aa4656892f09cf79c3b530a90f62");
  // The chain is ordered: swapping the layers changes it.
  EXPECT_NE(chain_id(b, a), chain_id(a, b));
}

}  // namespace
}  // namespace schicht
