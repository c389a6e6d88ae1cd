#include "oci/manifest.h"

#include <gtest/gtest.h>

#include "core/media_type.h"
#include "expect_error.h"

namespace schicht {
namespace {

const Digest kConfigDigest = Digest::sha256_of("config");
const Digest kLayerDigest = Digest::sha256_of("layer");
const std::string kEmptySha256 = Digest::sha256_of("").str();

std::string config_json(std::string_view media_type = media_type::kOciConfig) {
  return R"({"mediaType":")" + std::string(media_type) + R"(","digest":")" + kConfigDigest.str() +
         R"(","size":7})";
}

std::string layer_json(std::string_view extra = "") {
  return R"({"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":")" +
         kLayerDigest.str() + R"(","size":32)" + std::string(extra) + "}";
}

// An OCI manifest whose descriptor of layer 0 ends with `layer_extra`.
std::string oci_manifest(std::string_view top_extra = "", std::string_view layer_extra = "") {
  return R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
         R"("config":)" +
         config_json() + R"(,"layers":[)" + layer_json(layer_extra) + "]" + std::string(top_extra) +
         "}";
}

TEST(ParseManifestTest, ParsesAnOciManifest) {
  const std::string subject_digest = Digest::sha256_of("subject").str();
  const std::string raw = oci_manifest(
      R"(,"subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" +
          subject_digest +
          R"(","size":9},"artifactType":"application/x.test","annotations":{"k":"v"},"unknown":[1])",
      R"(,"urls":["https://example.com/l"],"annotations":{"a":"b"},"future":{"x":1})");
  const Manifest manifest = parse_manifest(raw);
  EXPECT_EQ(manifest.raw, raw);
  EXPECT_EQ(manifest.digest, Digest::sha256_of(raw));
  EXPECT_EQ(manifest.media_type, media_type::kOciManifest);
  EXPECT_EQ(manifest.media_type_field, MediaTypeField::kPresent);
  EXPECT_EQ(manifest.config.media_type, media_type::kOciConfig);
  EXPECT_EQ(manifest.config.digest, kConfigDigest);
  EXPECT_EQ(manifest.config.size, 7);
  ASSERT_EQ(manifest.layers.size(), 1u);
  EXPECT_EQ(manifest.layers[0].digest, kLayerDigest);
  EXPECT_EQ(manifest.layers[0].size, 32);
  EXPECT_EQ(manifest.layers[0].urls, std::vector<std::string>{"https://example.com/l"});
  EXPECT_EQ(manifest.layers[0].annotations.at("a"), "b");
  ASSERT_TRUE(manifest.subject.has_value());
  EXPECT_EQ(manifest.subject->digest.str(), subject_digest);
  EXPECT_EQ(manifest.artifact_type, "application/x.test");
  EXPECT_EQ(manifest.annotations.at("k"), "v");
}

TEST(ParseManifestTest, ParsesADockerManifestIgnoringOciOnlyMembers) {
  const std::string raw =
      R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",)"
      R"("config":)" +
      config_json(media_type::kDockerConfig) +
      R"(,"layers":[{"mediaType":"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",)"
      R"("size":32,"digest":")" +
      kLayerDigest.str() +
      R"(","urls":["https://example.com/l"],"data":"not checked"}],"annotations":{"k":"v"}})";
  const Manifest manifest = parse_manifest(raw);
  EXPECT_EQ(manifest.media_type, media_type::kDockerManifest);
  EXPECT_EQ(manifest.config.media_type, media_type::kDockerConfig);
  ASSERT_EQ(manifest.layers.size(), 1u);
  EXPECT_EQ(manifest.layers[0].urls.size(), 1u);
  EXPECT_FALSE(manifest.layers[0].data.has_value());
  EXPECT_TRUE(manifest.annotations.empty());
}

TEST(ParseManifestTest, AcceptsWhatCImageAccepts) {
  // No mediaType member (image-spec before 1.0.2, podman 4.3 imports), no layers, an unknown
  // layer type, and an empty artifact layer.
  const std::string raw = R"({"schemaVersion":2,"config":)" + config_json() + "}";
  const Manifest manifest = parse_manifest(raw);
  EXPECT_EQ(manifest.media_type, media_type::kOciManifest);
  EXPECT_EQ(manifest.media_type_field, MediaTypeField::kAbsent);
  EXPECT_TRUE(manifest.layers.empty());

  const Manifest with_odd_layers =
      parse_manifest(R"({"schemaVersion":2,"config":)" + config_json() +
                     R"(,"layers":[{"mediaType":"application/x.whatever","digest":")" +
                     kEmptySha256 + R"(","size":0}]})");
  EXPECT_EQ(with_odd_layers.layers.at(0).size, 0);

  // A Docker Content-Type with no mediaType member.
  const Manifest docker = parse_manifest(R"({"schemaVersion":2,"config":)" + config_json() + "}",
                                         media_type::kDockerManifest);
  EXPECT_EQ(docker.media_type, media_type::kDockerManifest);
}

TEST(ParseManifestTest, VerifiesEmbeddedData) {
  const Digest empty_json = Digest::sha256_of("{}");
  const std::string raw =
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
      R"("artifactType":"application/x.t","config":{"mediaType":"application/vnd.oci.empty.v1+json",)"
      R"("digest":")" +
      empty_json.str() + R"(","size":2,"data":"e30="},"layers":[]})";
  const Manifest manifest = parse_manifest(raw);
  EXPECT_EQ(manifest.config, empty_descriptor());
  EXPECT_EQ(manifest.config.data, "{}");

  EXPECT_SCHICHT_ERROR(
      parse_manifest(R"({"schemaVersion":2,"config":{"mediaType":"a/b","digest":")" +
                     empty_json.str() + R"(","size":2,"data":"e3x="}})"),
      ErrorKind::kInvalidInput, "does not match digest");
  EXPECT_SCHICHT_ERROR(
      parse_manifest(R"({"schemaVersion":2,"config":{"mediaType":"a/b","digest":")" +
                     empty_json.str() + R"(","size":3,"data":"e30="}})"),
      ErrorKind::kInvalidInput, "config.data: holds 2 bytes but the size is 3");
  EXPECT_SCHICHT_ERROR(
      parse_manifest(R"({"schemaVersion":2,"config":{"mediaType":"a/b","digest":")" +
                     empty_json.str() + R"(","size":2,"data":"e30"}})"),
      ErrorKind::kInvalidInput, "config.data: invalid base64");
}

TEST(ParseManifestTest, RejectsMalformedJson) {
  EXPECT_SCHICHT_ERROR(parse_manifest("{\"schemaVersion\":2,"), ErrorKind::kInvalidInput,
                       "invalid image manifest: malformed JSON: parse error at line 1, column 20");
  EXPECT_SCHICHT_ERROR(parse_manifest("[]"), ErrorKind::kInvalidInput,
                       "expected a JSON object, got a JSON array");
  EXPECT_SCHICHT_ERROR(parse_manifest(oci_manifest() + "x"), ErrorKind::kInvalidInput,
                       "malformed JSON");
  // Found by fuzz/manifest_fuzz: nlohmann reports a number too large for a double as
  // out_of_range, not parse_error, and it escaped as a foreign exception.
  EXPECT_SCHICHT_ERROR(parse_manifest(R"({"schemaVersion":2,"x":1e999})"), ErrorKind::kInvalidInput,
                       "invalid image manifest: malformed JSON: number overflow parsing '1e999'");
}

TEST(ParseManifestTest, RejectsSchema1AsUnsupported) {
  const std::string schema1 = R"({"schemaVersion":1,"name":"x","tag":"y","fsLayers":[]})";
  EXPECT_SCHICHT_ERROR(parse_manifest(schema1), ErrorKind::kUnsupported,
                       "Docker schema 1 manifests are not supported");
  EXPECT_SCHICHT_ERROR(parse_manifest(oci_manifest(), media_type::kDockerSchema1Signed),
                       ErrorKind::kUnsupported, "Docker schema 1 manifests are not supported");
  EXPECT_SCHICHT_ERROR(parse_manifest(R"({"schemaVersion":1,"config":)" + config_json() + "}",
                                      media_type::kOciManifest),
                       ErrorKind::kUnsupported, "schema 1");
}

TEST(ParseManifestTest, RejectsWrongSchemaVersions) {
  EXPECT_SCHICHT_ERROR(
      parse_manifest(R"({"config":)" + config_json() + "}", media_type::kOciManifest),
      ErrorKind::kInvalidInput, "schemaVersion: missing");
  EXPECT_SCHICHT_ERROR(parse_manifest(R"({"schemaVersion":3,"config":)" + config_json() + "}",
                                      media_type::kOciManifest),
                       ErrorKind::kInvalidInput, "schemaVersion: 3 is not supported, expected 2");
  EXPECT_SCHICHT_ERROR(parse_manifest(R"({"schemaVersion":"2","config":)" + config_json() + "}"),
                       ErrorKind::kInvalidInput, "schemaVersion: expected a JSON number");
}

TEST(ParseManifestTest, RejectsInconsistentMediaTypes) {
  EXPECT_SCHICHT_ERROR(parse_manifest(oci_manifest(), media_type::kDockerManifest),
                       ErrorKind::kInvalidInput,
                       "mediaType: \"application/vnd.oci.image.manifest.v1+json\" does not match "
                       "the Content-Type \"application/vnd.docker.distribution.manifest.v2+json\"");
  EXPECT_SCHICHT_ERROR(
      parse_manifest(R"({"schemaVersion":2,"mediaType":"application/x.odd","config":)" +
                     config_json() + "}"),
      ErrorKind::kInvalidInput, "\"application/x.odd\" is not a manifest or index type");
  EXPECT_SCHICHT_ERROR(
      parse_manifest(R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json",)"
                     R"("manifests":[]})"),
      ErrorKind::kInvalidInput,
      "expected an image manifest, got an image index (application/vnd.oci.image.index.v1+json)");
  EXPECT_SCHICHT_ERROR(parse_manifest(oci_manifest(), media_type::kOciIndex),
                       ErrorKind::kInvalidInput, "does not match the Content-Type");
  // A Content-Type that is not a manifest type (a registry's generic answer) does not count.
  EXPECT_NO_THROW(parse_manifest(oci_manifest(), "application/json; charset=utf-8"));
  EXPECT_NO_THROW(
      parse_manifest(oci_manifest(), "application/vnd.oci.image.manifest.v1+json; charset=utf-8"));
}

TEST(ParseManifestTest, RejectsAmbiguousDocuments) {
  EXPECT_SCHICHT_ERROR(parse_manifest(oci_manifest(R"(,"manifests":[])")), ErrorKind::kInvalidInput,
                       "manifests: an image manifest must not have a \"manifests\" member");
}

TEST(ParseManifestTest, RejectsBadDescriptors) {
  EXPECT_SCHICHT_ERROR(
      parse_manifest(R"({"schemaVersion":2,"layers":[]})", media_type::kOciManifest),
      ErrorKind::kInvalidInput, "config: missing");
  EXPECT_SCHICHT_ERROR(
      parse_manifest(R"({"schemaVersion":2,"config":"x"})", media_type::kOciManifest),
      ErrorKind::kInvalidInput, "config: expected a descriptor object");

  struct Case {
    std::string layer;
    std::string message;
  };
  const std::string digest = kLayerDigest.str();
  const std::vector<Case> cases = {
      {R"({"digest":")" + digest + R"(","size":1})", "layers[0]: descriptor has no mediaType"},
      {R"({"mediaType":"a/b","size":1})", "layers[0]: descriptor has no digest"},
      {R"({"mediaType":"a/b","digest":")" + digest + R"("})", "layers[0]: descriptor has no size"},
      {R"({"mediaType":"a/b","digest":"sha256:ABC","size":1})",
       "layers[0].digest: invalid digest \"sha256:ABC\""},
      {R"({"mediaType":"a/b","digest":"md5:d41d8cd98f00b204e9800998ecf8427e","size":1})",
       "invalid digest"},
      {R"({"mediaType":"a/b","digest":")" + digest + R"(","size":-5})",
       "layers[0]: negative size -5"},
      {R"({"mediaType":"a/b","digest":")" + digest + R"(","size":0})",
       "layers[0]: size is 0 but " + digest + " is not the digest of empty content"},
      {R"({"mediaType":"a/b","digest":")" + digest + R"(","size":1.5})",
       "layers[0].size: 1.5 is not an integer"},
      {R"({"mediaType":"a/b","digest":")" + digest + R"(","size":18446744073709551615})",
       "does not fit in a 64-bit integer"},
      {R"({"mediaType":"a/b","digest":")" + digest + R"(","size":"1"})",
       "layers[0].size: expected a JSON number, got a JSON string"},
      {R"({"mediaType":"a/b","digest":")" + digest + R"(","size":1,"annotations":{"k":1}})",
       "layers[0].annotations.k: expected a JSON string, got a JSON number"},
      {R"({"mediaType":"a/b","digest":")" + digest + R"(","size":1,"urls":"u"})",
       "layers[0].urls: expected a JSON array"},
  };
  for (const Case& c : cases) {
    EXPECT_SCHICHT_ERROR(parse_manifest(R"({"schemaVersion":2,"config":)" + config_json() +
                                        R"(,"layers":[)" + c.layer + "]}"),
                         ErrorKind::kInvalidInput, c.message);
  }
  EXPECT_SCHICHT_ERROR(parse_manifest(R"({"schemaVersion":2,"config":{"mediaType":")" +
                                      std::string(media_type::kOciConfig) + R"(","digest":")" +
                                      kEmptySha256 + R"(","size":0}})"),
                       ErrorKind::kInvalidInput, "config: an image config cannot be empty");
}

TEST(DetectManifestTypeTest, PrefersContentTypeThenMediaTypeThenShape) {
  const std::string oci = oci_manifest();
  EXPECT_EQ(detect_manifest_type(oci, media_type::kDockerManifest), media_type::kDockerManifest);
  EXPECT_EQ(detect_manifest_type(oci, " application/vnd.oci.image.index.v1+json ; x=y"),
            media_type::kOciIndex);
  EXPECT_EQ(detect_manifest_type(oci, "text/plain"), media_type::kOciManifest);
  EXPECT_EQ(detect_manifest_type("not json", media_type::kDockerSchema1),
            media_type::kDockerSchema1);
  EXPECT_EQ(detect_manifest_type(
                R"({"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json"})"),
            media_type::kDockerManifestList);

  EXPECT_EQ(detect_manifest_type(R"({"schemaVersion":1})"), media_type::kDockerSchema1);
  EXPECT_EQ(detect_manifest_type(R"({"schemaVersion":1,"signatures":[]})"),
            media_type::kDockerSchema1Signed);
  EXPECT_EQ(detect_manifest_type(R"({"schemaVersion":2,"config":)" + config_json() + "}"),
            media_type::kOciManifest);
  EXPECT_EQ(detect_manifest_type(R"({"schemaVersion":2,"config":)" +
                                 config_json(media_type::kDockerConfig) + "}"),
            media_type::kDockerManifest);
  EXPECT_EQ(detect_manifest_type(R"({"schemaVersion":2,"manifests":[{}]})"), media_type::kOciIndex);
  EXPECT_EQ(detect_manifest_type(R"({"schemaVersion":2,"manifests":[]})"),
            media_type::kOciManifest);
  EXPECT_EQ(detect_manifest_type(R"({"schemaVersion":2,"mediaType":"x/y","config":{}})"),
            media_type::kOciManifest);

  EXPECT_EQ(detect_manifest_type("{"), "");
  EXPECT_EQ(detect_manifest_type("[]"), "");
  EXPECT_EQ(detect_manifest_type(R"({"schemaVersion":3})"), "");
  EXPECT_EQ(detect_manifest_type(R"({"mediaType":"x/y"})"), "");
}

Descriptor layer(std::string_view content, std::string media_type) {
  return Descriptor{.media_type = std::move(media_type),
                    .digest = Digest::sha256_of(content),
                    .size = static_cast<int64_t>(content.size())};
}

TEST(SerializeManifestTest, WritesOciManifestsInImageSpecOrder) {
  Descriptor config = layer("config", std::string(media_type::kOciConfig));
  Descriptor base = layer("layer", std::string(media_type::kOciLayerGzip));
  base.urls = {"https://example.com/a?b&c"};
  base.annotations = {{"z", "1"}, {"a<", "2"}};
  base.artifact_type = "application/x.t";
  Descriptor subject = layer("subject", std::string(media_type::kOciManifest));
  const std::string written =
      serialize_oci_manifest(config, {base}, {{"org.example", "<v>"}}, subject, "application/x.a");
  const std::string expected =
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
      R"("artifactType":"application/x.a",)"
      R"("config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":")" +
      config.digest.str() +
      R"(","size":6},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip",)"
      R"("digest":")" +
      base.digest.str() +
      R"(","size":5,"urls":["https://example.com/a?b\u0026c"],)"
      R"("annotations":{"a\u003c":"2","z":"1"},"artifactType":"application/x.t"}],)"
      R"("subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" +
      subject.digest.str() + R"(","size":7},"annotations":{"org.example":"\u003cv\u003e"}})";
  EXPECT_EQ(written, expected);

  const Manifest parsed = parse_manifest(written);
  EXPECT_EQ(parsed.layers.at(0), base);
  EXPECT_EQ(serialize_manifest(parsed), written);
}

TEST(SerializeManifestTest, WritesMinimalOciManifests) {
  const Descriptor config = empty_descriptor();
  EXPECT_EQ(serialize_oci_manifest(config, {}, {}, std::nullopt, "", MediaTypeField::kAbsent),
            R"({"schemaVersion":2,"config":{"mediaType":"application/vnd.oci.empty.v1+json",)"
            R"("digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",)"
            R"("size":2,"data":"e30="},"layers":[]})");
}

TEST(SerializeManifestTest, WritesDockerManifestsWithDockerDescriptorOrder) {
  Descriptor config = layer("config", std::string(media_type::kDockerConfig));
  Descriptor foreign = layer("layer", std::string(media_type::kDockerForeignLayerGzip));
  foreign.urls = {"https://example.com/l"};
  foreign.annotations = {{"dropped", "because Docker has none"}};
  const std::string written = serialize_docker_manifest(config, {foreign});
  EXPECT_EQ(
      written,
      R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",)"
      R"("config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":6,)"
      R"("digest":")" +
          config.digest.str() +
          R"("},"layers":[{"mediaType":"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",)"
          R"("size":5,"digest":")" +
          foreign.digest.str() + R"(","urls":["https://example.com/l"]}]})");
  EXPECT_EQ(serialize_manifest(parse_manifest(written)), written);
}

TEST(DescriptorTest, ParsesAndSerializesOneDescriptor) {
  const std::string text =
      R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" +
      kLayerDigest.str() +
      R"(","size":5,"platform":{"architecture":"arm64","os":"linux","os.features":["f"],)"
      R"("variant":"v8"}})";
  const Descriptor descriptor = parse_descriptor(text);
  ASSERT_TRUE(descriptor.platform.has_value());
  EXPECT_EQ(descriptor.platform->architecture, "arm64");
  EXPECT_EQ(descriptor.platform->variant, "v8");
  EXPECT_EQ(descriptor.platform->os_features, std::vector<std::string>{"f"});
  EXPECT_EQ(serialize_descriptor(descriptor), text);
  EXPECT_SCHICHT_ERROR(parse_descriptor("{}"), ErrorKind::kInvalidInput,
                       "invalid descriptor: descriptor has no mediaType");
}

}  // namespace
}  // namespace schicht
