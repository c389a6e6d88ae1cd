#include "oci/index.h"

#include <gtest/gtest.h>

#include "core/media_type.h"
#include "expect_error.h"

namespace schicht {
namespace {

const Digest kAmd64 = Digest::sha256_of("amd64 manifest");
const Digest kArm = Digest::sha256_of("arm manifest");

TEST(ParseIndexTest, ParsesAnOciIndex) {
  const std::string raw =
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[)"
      R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" +
      kAmd64.str() +
      R"(","size":10,"platform":{"architecture":"amd64","os":"linux"}},)"
      R"({"mediaType":"application/x.unknown","digest":")" +
      kArm.str() +
      R"(","size":11,"platform":{"architecture":"arm","os":"linux","variant":"v7",)"
      R"("os.version":"1"},"annotations":{"io.github.containers.compression.zstd":"true"}},)"
      R"({"mediaType":"application/vnd.oci.image.index.v1+json","digest":")" +
      kArm.str() + R"(","size":11}],"annotations":{"k":"v"}})";
  const Index index = parse_index(raw);
  EXPECT_EQ(index.raw, raw);
  EXPECT_EQ(index.digest, Digest::sha256_of(raw));
  EXPECT_EQ(index.media_type, media_type::kOciIndex);
  ASSERT_EQ(index.manifests.size(), 3u);
  EXPECT_EQ(index.manifests[0].platform, (Platform{.os = "linux", .architecture = "amd64"}));
  EXPECT_EQ(index.manifests[1].media_type, "application/x.unknown");
  EXPECT_EQ(index.manifests[1].platform->variant, "v7");
  EXPECT_EQ(index.manifests[1].platform->os_version, "1");
  EXPECT_EQ(index.manifests[1].annotations.size(), 1u);
  EXPECT_FALSE(index.manifests[2].platform.has_value());
  EXPECT_EQ(index.annotations.at("k"), "v");
}

TEST(ParseIndexTest, ParsesADockerListAndEmptyIndexes) {
  const std::string raw =
      R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json",)"
      R"("manifests":[{"mediaType":"application/vnd.docker.distribution.manifest.v2+json",)"
      R"("size":10,"digest":")" +
      kAmd64.str() + R"(","platform":{"architecture":"amd64","os":"linux","features":["sse4"]}}]})";
  const Index list = parse_index(raw);
  EXPECT_EQ(list.media_type, media_type::kDockerManifestList);
  EXPECT_EQ(list.manifests.at(0).platform->architecture, "amd64");
  EXPECT_EQ(serialize_index(list), raw.substr(0, raw.find(R"(,"features")")) + "}}]}");

  const Index empty = parse_index(R"({"schemaVersion":2,"manifests":[]})", media_type::kOciIndex);
  EXPECT_TRUE(empty.manifests.empty());
  EXPECT_EQ(empty.media_type_field, MediaTypeField::kAbsent);
}

TEST(ParseIndexTest, RejectsWhatIsNotAValidIndex) {
  EXPECT_SCHICHT_ERROR(parse_index("{"), ErrorKind::kInvalidInput,
                       "invalid image index: malformed JSON");
  EXPECT_SCHICHT_ERROR(parse_index(R"({"schemaVersion":1,"manifests":[]})"),
                       ErrorKind::kUnsupported, "Docker schema 1 manifests are not supported");
  EXPECT_SCHICHT_ERROR(
      parse_index(
          R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"})"),
      ErrorKind::kInvalidInput,
      "invalid image index: expected an image index, got an image manifest");
  EXPECT_SCHICHT_ERROR(parse_index(R"({"schemaVersion":2,"manifests":[]})"),
                       ErrorKind::kInvalidInput, "expected an image index");
  EXPECT_SCHICHT_ERROR(
      parse_index(R"({"schemaVersion":2,"manifests":[],"layers":[]})", media_type::kOciIndex),
      ErrorKind::kInvalidInput, "layers: an image index must not have a \"layers\" member");
  EXPECT_SCHICHT_ERROR(parse_index(R"({"schemaVersion":2,"manifests":{}})", media_type::kOciIndex),
                       ErrorKind::kInvalidInput, "manifests: expected a JSON array");
  EXPECT_SCHICHT_ERROR(
      parse_index(R"({"schemaVersion":2,"manifests":[{"mediaType":"a/b","digest":")" +
                      kAmd64.str() + R"(","size":-1}]})",
                  media_type::kOciIndex),
      ErrorKind::kInvalidInput, "manifests[0]: negative size -1");
  EXPECT_SCHICHT_ERROR(
      parse_index(R"({"schemaVersion":2,"manifests":[{"mediaType":"a/b","digest":")" +
                      kAmd64.str() + R"(","size":1,"platform":{"os":7}}]})",
                  media_type::kOciIndex),
      ErrorKind::kInvalidInput, "manifests[0].platform.os: expected a JSON string");
  EXPECT_SCHICHT_ERROR(
      parse_index(R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json",)"
                  R"("manifests":[]})",
                  media_type::kDockerManifestList),
      ErrorKind::kInvalidInput, "does not match the Content-Type");
}

TEST(SerializeIndexTest, WritesOciIndexesInImageSpecOrder) {
  Descriptor arm{.media_type = std::string(media_type::kOciManifest), .digest = kArm, .size = 11};
  arm.platform = Platform{.os = "linux",
                          .architecture = "arm",
                          .variant = "v7",
                          .os_version = "10.0",
                          .os_features = {"win32k"}};
  arm.annotations = {{"org.opencontainers.image.ref.name", "1.0"}};
  const std::string written = serialize_oci_index({arm}, {{"a", "b"}});
  EXPECT_EQ(written,
            R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json",)"
            R"("manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" +
                kArm.str() +
                R"(","size":11,"annotations":{"org.opencontainers.image.ref.name":"1.0"},)"
                R"("platform":{"architecture":"arm","os":"linux","os.version":"10.0",)"
                R"("os.features":["win32k"],"variant":"v7"}}],"annotations":{"a":"b"}})");
  EXPECT_EQ(serialize_index(parse_index(written)), written);
  EXPECT_EQ(serialize_oci_index({}, {}, MediaTypeField::kAbsent),
            R"({"schemaVersion":2,"manifests":[]})");
}

TEST(SerializeIndexTest, WritesDockerListsWithAPlatformAlways) {
  const Descriptor entry{
      .media_type = std::string(media_type::kDockerManifest), .digest = kAmd64, .size = 10};
  EXPECT_EQ(
      serialize_docker_list({entry}),
      R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json",)"
      R"("manifests":[{"mediaType":"application/vnd.docker.distribution.manifest.v2+json",)"
      R"("size":10,"digest":")" +
          kAmd64.str() + R"(","platform":{"architecture":"","os":""}}]})");
}

}  // namespace
}  // namespace schicht
