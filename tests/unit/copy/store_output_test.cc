// What push and save need of the engine beyond image copy: several images into one
// docker-archive (docker_archive_writer), layers written there uncompressed under their diffIDs,
// and gzip_uncompressed_layers (push's default, dir: --compress).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "archive/compression.h"
#include "archive/tar_writer.h"
#include "copy/archive_image.h"
#include "copy/copy_image.h"
#include "copy/dir_image.h"
#include "copy/storage_image.h"
#include "copy/stored_image.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/media_type.h"
#include "error_of.h"
#include "memory_blobs.h"
#include "oci/manifest.h"
#include "store/store.h"

namespace schicht::copy {
namespace {

// A layer: a tar of one file holding `content`.
std::string tar_of(const std::string& content) {
  StringWriter out;
  TarWriter tar(out);
  tar.add_file("f", content, 0644, 0);
  tar.finish();
  return out.str();
}

// One OCI image of two layers, the first gzipped and the second plain; the config lists their
// diffIDs.
class MixedImage final : public ImageSource {
 public:
  explicit MixedImage(char fill) {
    std::string diff_ids;
    for (int i = 0; i < 2; ++i) {
      std::string plain = tar_of(std::string(5000 + i * 3000, static_cast<char>(fill + i)));
      diff_id.push_back(Digest::sha256_of(plain));
      layers.push_back(i == 0 ? add(gzipped(plain), media_type::kOciLayerGzip)
                              : add(plain, media_type::kOciLayer));
      diff_ids += (i > 0 ? "," : "") + ("\"" + diff_id.back().str() + "\"");
    }
    config = add(R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[)" +
                     diff_ids + "]}}",
                 media_type::kOciConfig);
    top =
        RawManifest{serialize_oci_manifest(*config, layers), std::string(media_type::kOciManifest)};
  }

  std::string name() const override { return "memory:"; }
  RawManifest manifest(const std::optional<Digest>&) override { return top; }
  void get_blob(const Descriptor& blob, Writer& out) override { out.write(blobs_.at(blob.digest)); }

  std::vector<Descriptor> layers;
  std::vector<Digest> diff_id;
  std::optional<Descriptor> config;
  RawManifest top;

 private:
  Descriptor add(std::string bytes, std::string_view type) {
    return blobs_.add(std::move(bytes), type);
  }

  MemoryBlobs blobs_;
};

TEST(StoreOutputTest, SeveralImagesInOneDockerArchiveWithLayersUnderTheirDiffIds) {
  TempDir dir(fs::temp_directory_path(), "schicht-store-output");
  fs::path file = dir.path() / "m.tar";
  MixedImage a('a'), b('p');
  {
    auto archive = docker_archive_writer(file, "docker-archive:m.tar");
    auto first = archive->image({"app:1", "localhost/app:1", "app:1"});
    copy_between(a, *first, {});
    auto second = archive->image({});
    copy_between(b, *second, {});
    archive->commit();
  }
  std::string listing = read_file(file);  // small: the whole tar
  {
    auto source = docker_archive_source(file, "@0", "docker-archive:m.tar:@0");
    Manifest first = parse_manifest(source->manifest(std::nullopt).bytes);
    ASSERT_EQ(first.layers.size(), 2u);
    // Served uncompressed: every layer's digest is its diffID.
    EXPECT_EQ(first.layers[0].digest, a.diff_id[0]);
    EXPECT_EQ(first.layers[1].digest, a.diff_id[1]);
    EXPECT_EQ(first.config.digest, a.config->digest);
  }
  auto by_tag = docker_archive_source(file, "docker.io/library/app:1", "docker-archive:m.tar");
  EXPECT_EQ(parse_manifest(by_tag->manifest(std::nullopt).bytes).config.digest, a.config->digest);
  auto second = docker_archive_source(file, "@1", "docker-archive:m.tar:@1");
  EXPECT_EQ(parse_manifest(second->manifest(std::nullopt).bytes).config.digest, b.config->digest);
  // The layer files are named by diffID; the tags are listed once each.
  EXPECT_NE(listing.find(std::string(a.diff_id[0].hex()) + ".tar"), std::string::npos);
  EXPECT_EQ(listing.find(std::string(a.layers[0].digest.hex()) + ".tar"), std::string::npos);
  EXPECT_NE(listing.find(R"("RepoTags":["docker.io/library/app:1","localhost/app:1"])"),
            std::string::npos);
}

TEST(StoreOutputTest, AnAbandonedDockerArchiveLeavesNothingAndBadTagsAreRefused) {
  TempDir dir(fs::temp_directory_path(), "schicht-store-output");
  fs::path file = dir.path() / "m.tar";
  MixedImage a('a');
  {
    auto archive = docker_archive_writer(file, "docker-archive:m.tar");
    error_of(ErrorKind::kInvalidInput,
             [&] { archive->image({"app@sha256:" + std::string(64, 'a')}); });
    auto first = archive->image({"app:1"});
    copy_between(a, *first, {});
  }
  EXPECT_FALSE(fs::exists(file));
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

TEST(StoreOutputTest, GzipUncompressedLayersCompressesOnlyThePlainOnes) {
  TempDir dir(fs::temp_directory_path(), "schicht-store-output");
  MixedImage a('a');
  CopyOptions options;
  options.gzip_uncompressed_layers = true;
  auto out = dir_destination(dir.path() / "d", "dir:d");
  Digest written = copy_between(a, *out, options);
  EXPECT_NE(written, Digest::sha256_of(a.top.bytes));
  auto back = dir_source(dir.path() / "d", "dir:d");
  Manifest manifest = parse_manifest(back->manifest(std::nullopt).bytes);
  ASSERT_EQ(manifest.layers.size(), 2u);
  EXPECT_EQ(manifest.layers[0].digest, a.layers[0].digest);  // gzipped already: as it was
  EXPECT_EQ(manifest.layers[1].media_type, media_type::kOciLayerGzip);
  StringWriter layer;
  back->get_blob(manifest.layers[1], layer);
  StringReader packed(layer.str());
  auto plain = decompress(packed);
  EXPECT_EQ(plain->compression(), Compression::kGzip);
  StringWriter unpacked;
  copy_stream(*plain, unpacked);
  EXPECT_EQ(Digest::sha256_of(unpacked.str()), a.diff_id[1]);
  // Without the option the image goes byte-exact.
  auto exact = dir_destination(dir.path() / "e", "dir:e");
  EXPECT_EQ(copy_between(a, *exact, {}), Digest::sha256_of(a.top.bytes));
}

TEST(StoreOutputTest, AStoredImageIsReadByIdWithItsManifestAsStored) {
  TempDir dir(fs::temp_directory_path(), "schicht-store-output");
  store::Store store(dir.path() / "root");
  MixedImage a('a');
  auto in = storage_destination(store, "localhost/app:1", "copy", PlatformChoice{});
  copy_between(a, *in, {});
  std::optional<Digest> id = store.image_by_name("localhost/app:1");
  ASSERT_TRUE(id.has_value());
  auto source = stored_image_source(store, {.id = *id, .name = "containers-storage:app"});
  EXPECT_EQ(source->manifest(std::nullopt).bytes, a.top.bytes);
  EXPECT_EQ(source->manifest(std::nullopt).media_type, media_type::kOciManifest);
  EXPECT_FALSE(source->repository().has_value());
  StringWriter config;
  source->get_blob(*a.config, config);
  EXPECT_EQ(Digest::sha256_of(config.str()), a.config->digest);
  // A manifest the image does not have, an image that is not there.
  auto other = stored_image_source(
      store, {.id = *id, .manifest = a.config->digest, .name = "containers-storage:app"});
  error_of(ErrorKind::kNotFound, [&] { other->manifest(std::nullopt); });
  auto missing = stored_image_source(store, {.id = a.layers[1].digest, .name = "x"});
  error_of(ErrorKind::kNotFound, [&] { missing->manifest(std::nullopt); });
  error_of(ErrorKind::kNotFound, [&] { source->manifest(a.config->digest); });
}

}  // namespace
}  // namespace schicht::copy
