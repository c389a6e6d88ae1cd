// Bytes written by podman 4.3.1 and skopeo 1.9.3 on the development machine: an image imported
// with `podman import --change CMD/ENV/LABEL/EXPOSE/WORKDIR -m ...`, saved as oci-dir and
// docker-dir, converted with `skopeo copy --format oci`, and a two-image list pushed by
// `podman manifest push --all` as OCI and as v2s2. Parsing and re-serializing each must give
// the same bytes, or schicht would compute other digests and image IDs than podman.
#include <gtest/gtest.h>

#include "core/error.h"
#include "core/media_type.h"
#include "oci/config.h"
#include "oci/index.h"
#include "oci/manifest.h"

namespace schicht {
namespace {

// podman save --format oci-dir of an imported image: no top-level mediaType.
constexpr std::string_view kImportedOciManifest =
    R"({"schemaVersion":2,"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:af9745aec9132a7f2d7187529c89a2da66046b273874a34cf8f6d2e7802fc69e","size":534},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:1bf39c4a70bb43ad52151060905b069fce574f258b7d22c5893cbd5d1f4818e4","size":164}]})";

// The oci-layout index.json next to it: no mediaType either.
constexpr std::string_view kLayoutIndex =
    R"({"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:cfe44df9d990522e749d38c81ccc46a26d1ff3afe87cd2eb6129c3183e0fb883","size":344,"annotations":{"org.opencontainers.image.ref.name":"localhost/t:1"}}]})";

// skopeo copy --format oci from the docker-dir copy: converted, so with mediaType.
constexpr std::string_view kConvertedOciManifest =
    R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:af9745aec9132a7f2d7187529c89a2da66046b273874a34cf8f6d2e7802fc69e","size":534},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:1bf39c4a70bb43ad52151060905b069fce574f258b7d22c5893cbd5d1f4818e4","size":164}]})";

// podman save --format docker-dir: uncompressed layer.
constexpr std::string_view kDockerManifest =
    R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":534,"digest":"sha256:af9745aec9132a7f2d7187529c89a2da66046b273874a34cf8f6d2e7802fc69e"},"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar","size":10240,"digest":"sha256:37172b0b16ba350a0c88b56f3d41216a99544960896bfd21e062eab321f9b182"}]})";

// podman manifest push --all --format v2s2.
constexpr std::string_view kDockerList =
    R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","size":420,"digest":"sha256:9e7f8eba2a0323a3245308f7f36f8be501413247aa7c8cd67b077d976d981e20","platform":{"architecture":"amd64","os":"linux"}},{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","size":420,"digest":"sha256:ee4cd699eed625c0a022b5a9743436825123c7ee9c11fd1545fc54d3f3ccf54b","platform":{"architecture":"arm","os":"linux","os.version":"10.0.1","variant":"v7"}}]})";

// podman manifest push --all to oci: (second entry added with --annotation 'a=<b>&é').
constexpr std::string_view kOciIndex =
    R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:cfe44df9d990522e749d38c81ccc46a26d1ff3afe87cd2eb6129c3183e0fb883","size":344,"platform":{"architecture":"amd64","os":"linux"}},{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:b5edbcc26516494ea142933610fd4050a1f27280bda070e2a617ea86db9f8c1e","size":344,"annotations":{"a":"\u003cb\u003e\u0026é"},"platform":{"architecture":"arm","os":"linux","os.version":"10.0.1","variant":"v7"}}]})";

// The imported image's config, and that of one imported with --arch arm --variant v7: the
// variant comes before os (image-spec before v1.1 embedded the platform).
constexpr std::string_view kImportedConfig =
    R"({"created":"2026-11-26T19:22:51.544551895Z","architecture":"amd64","os":"linux","config":{"ExposedPorts":{"80/tcp":{}},"Env":["FOO=bar"],"Cmd":["/bin/sh","-c","echo \u003ca\u0026b\u003e"],"WorkingDir":"/w","Labels":{"x":"y"}},"rootfs":{"type":"layers","diff_ids":["sha256:37172b0b16ba350a0c88b56f3d41216a99544960896bfd21e062eab321f9b182"]},"history":[{"created":"2026-11-26T19:22:51.544551895Z","created_by":"/bin/sh -c #(nop) ADD file:37172b0b16ba350a0c88b56f3d41216a99544960896bfd21e062eab321f9b182 in /","comment":"a commit msg"}]})";
constexpr std::string_view kImportedArmConfig =
    R"({"created":"2026-11-26T19:22:51.544551895Z","architecture":"arm","variant":"v7","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":["sha256:37172b0b16ba350a0c88b56f3d41216a99544960896bfd21e062eab321f9b182"]},"history":[{"created":"2026-11-26T19:22:51.544551895Z","created_by":"/bin/sh -c #(nop) ADD file:37172b0b16ba350a0c88b56f3d41216a99544960896bfd21e062eab321f9b182 in /","comment":"x"}]})";

TEST(PodmanBytesTest, ManifestsRoundTrip) {
  const Manifest imported = parse_manifest(std::string(kImportedOciManifest));
  EXPECT_EQ(imported.digest.str(),
            "sha256:cfe44df9d990522e749d38c81ccc46a26d1ff3afe87cd2eb6129c3183e0fb883");
  EXPECT_EQ(imported.media_type_field, MediaTypeField::kAbsent);
  EXPECT_EQ(serialize_manifest(imported), kImportedOciManifest);
  EXPECT_EQ(serialize_oci_manifest(imported.config, imported.layers, {}, std::nullopt, "",
                                   MediaTypeField::kAbsent),
            kImportedOciManifest);

  const Manifest converted = parse_manifest(std::string(kConvertedOciManifest));
  EXPECT_EQ(converted.digest.str(),
            "sha256:b13314f407c1b4fc0eecaf6fc1740da0852eb78e8160eef490d6ddf41890efcb");
  EXPECT_EQ(serialize_oci_manifest(converted.config, converted.layers), kConvertedOciManifest);

  const Manifest docker = parse_manifest(std::string(kDockerManifest));
  EXPECT_EQ(docker.digest.str(),
            "sha256:9e7f8eba2a0323a3245308f7f36f8be501413247aa7c8cd67b077d976d981e20");
  EXPECT_EQ(docker.media_type, media_type::kDockerManifest);
  EXPECT_EQ(serialize_docker_manifest(docker.config, docker.layers), kDockerManifest);
}

TEST(PodmanBytesTest, IndexesRoundTrip) {
  const Index layout = parse_index(std::string(kLayoutIndex));
  EXPECT_EQ(layout.media_type, media_type::kOciIndex);
  EXPECT_EQ(layout.media_type_field, MediaTypeField::kAbsent);
  EXPECT_EQ(serialize_oci_index(layout.manifests, {}, MediaTypeField::kAbsent), kLayoutIndex);

  const Index list = parse_index(std::string(kDockerList));
  EXPECT_EQ(list.manifests.at(1).platform->os_version, "10.0.1");
  EXPECT_EQ(serialize_docker_list(list.manifests), kDockerList);

  const Index index = parse_index(std::string(kOciIndex));
  EXPECT_EQ(index.digest.str(),
            "sha256:15701c421d3f108db20f41312427a2489234b47908cbbbb051152a3d2ed5dd87");
  EXPECT_EQ(index.manifests.at(1).annotations.at("a"), "<b>&é");
  EXPECT_EQ(serialize_oci_index(index.manifests), kOciIndex);
}

TEST(PodmanBytesTest, ConfigsRoundTrip) {
  const ImageConfig config = parse_config(std::string(kImportedConfig));
  EXPECT_EQ(config.id.str(),
            "sha256:af9745aec9132a7f2d7187529c89a2da66046b273874a34cf8f6d2e7802fc69e");
  EXPECT_EQ(config.config.cmd, (std::vector<std::string>{"/bin/sh", "-c", "echo <a&b>"}));
  EXPECT_EQ(serialize_config(config), kImportedConfig);

  const ImageConfig arm = parse_config(std::string(kImportedArmConfig));
  EXPECT_EQ(arm.id.str(),
            "sha256:f198b2bb7513e7968a333041313212746ca9692060b8256839b5b86e79633385");
  EXPECT_EQ(serialize_config(arm), kImportedArmConfig);
}

}  // namespace
}  // namespace schicht

namespace schicht {
namespace {

// Every one-byte corruption of real documents either parses or fails with a schicht::Error;
// nothing else (a JSON library exception, a crash) may escape.
TEST(PodmanBytesTest, CorruptedDocumentsFailCleanly) {
  const std::string_view documents[] = {kImportedOciManifest, kDockerManifest, kOciIndex,
                                        kDockerList, kImportedConfig};
  int parsed = 0;
  int refused = 0;
  for (std::string_view document : documents) {
    for (size_t pos = 0; pos < document.size(); ++pos) {
      for (char replacement : {'"', '1', '-', '{', ']', 'x', '\xff'}) {
        std::string corrupted(document);
        corrupted[pos] = replacement;
        for (int parser = 0; parser < 3; ++parser) {
          try {
            if (parser == 0) parse_manifest(corrupted);
            if (parser == 1) parse_index(corrupted);
            if (parser == 2) parse_config(corrupted);
            detect_manifest_type(corrupted, "");
            ++parsed;
          } catch (const Error&) {
            ++refused;
          }
        }
      }
    }
  }
  EXPECT_GT(parsed, 0);
  EXPECT_GT(refused, 0);
}

}  // namespace
}  // namespace schicht
