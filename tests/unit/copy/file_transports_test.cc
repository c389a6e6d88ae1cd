// The file transports through the copy engine without a network: an in-memory image into
// oci-archive:, docker-archive: and dir:, read back by their sources; an archive destination
// abandoned before commit() leaves no file.
#include <gtest/gtest.h>

#include "copy/archive_image.h"
#include "copy/copy_image.h"
#include "copy/dir_image.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/media_type.h"
#include "error_of.h"
#include "memory_blobs.h"
#include "oci/manifest.h"

namespace schicht::copy {
namespace {

// One OCI image of three layers whose config lists their diff_ids (plain bytes: uncompressed).
class OneImage final : public ImageSource {
 public:
  OneImage() {
    std::string diff_ids;
    for (int i = 0; i < 3; ++i) {
      layers_.push_back(
          add(std::string(1000 + i * 70000, static_cast<char>('a' + i)), media_type::kOciLayer));
      diff_ids += (i > 0 ? "," : "") + ("\"" + layers_.back().digest.str() + "\"");
    }
    Descriptor config =
        add(R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[)" +
                diff_ids + "]}}",
            media_type::kOciConfig);
    top_ =
        RawManifest{serialize_oci_manifest(config, layers_), std::string(media_type::kOciManifest)};
  }

  std::string name() const override { return "memory:"; }
  RawManifest manifest(const std::optional<Digest>&) override { return top_; }
  void get_blob(const Descriptor& blob, Writer& out) override { out.write(blobs_.at(blob.digest)); }

  const RawManifest& top() const { return top_; }
  const std::vector<Descriptor>& layers() const { return layers_; }
  const std::string& bytes(const Digest& digest) const { return blobs_.at(digest); }

 private:
  Descriptor add(std::string bytes, std::string_view type) {
    return blobs_.add(std::move(bytes), type);
  }

  MemoryBlobs blobs_;
  std::vector<Descriptor> layers_;
  RawManifest top_;
};

CopyOptions three_jobs() {
  CopyOptions options;
  options.transfer.jobs = 3;
  return options;
}

// Every layer `source` names has the bytes `image` has.
void expect_same_layers(ImageSource& source, const OneImage& image) {
  Manifest manifest = parse_manifest(source.manifest(std::nullopt).bytes);
  ASSERT_EQ(manifest.layers.size(), image.layers().size());
  for (size_t i = 0; i < manifest.layers.size(); ++i) {
    EXPECT_EQ(manifest.layers[i].digest, image.layers()[i].digest);
    StringWriter out;
    source.get_blob(manifest.layers[i], out);
    EXPECT_EQ(out.str(), image.bytes(image.layers()[i].digest));
  }
}

TEST(FileTransportsTest, EachDestinationIsReadBackByItsSource) {
  TempDir dir(fs::temp_directory_path(), "schicht-file-transports");
  OneImage image;

  auto oci = oci_archive_destination(dir.path() / "o.tar", "v1", "oci-archive:o.tar:v1");
  copy_between(image, *oci, three_jobs());
  auto oci_back = oci_archive_source(dir.path() / "o.tar", "v1", "oci-archive:o.tar:v1");
  EXPECT_EQ(oci_back->manifest(std::nullopt).bytes, image.top().bytes);
  expect_same_layers(*oci_back, image);

  auto dir_dest = dir_destination(dir.path() / "d", "dir:d");
  copy_between(image, *dir_dest, three_jobs());
  auto dir_back = dir_source(dir.path() / "d", "dir:d");
  EXPECT_EQ(dir_back->manifest(std::nullopt).bytes, image.top().bytes);
  expect_same_layers(*dir_back, image);

  // A docker-archive keeps config and layers; its source generates a Docker manifest of them.
  auto docker = docker_archive_destination(dir.path() / "d.tar", "app:1", "docker-archive:d.tar");
  copy_between(image, *docker, three_jobs());
  auto docker_back = docker_archive_source(dir.path() / "d.tar", "app:1", "docker-archive:d.tar");
  RawManifest generated = docker_back->manifest(std::nullopt);
  EXPECT_EQ(generated.media_type, media_type::kDockerManifest);
  expect_same_layers(*docker_back, image);
  EXPECT_NE(error_of(ErrorKind::kNotFound,
                     [&] {
                       docker_archive_source(dir.path() / "d.tar", "other:1", "docker-archive:d")
                           ->manifest(std::nullopt);
                     })
                .find("not found"),
            std::string::npos);

  CopyOptions preserve = three_jobs();
  preserve.preserve_digests = true;
  auto refused = docker_archive_destination(dir.path() / "p.tar", "", "docker-archive:p.tar");
  error_of(ErrorKind::kUnsupported, [&] { copy_between(image, *refused, preserve); });
  refused.reset();
  EXPECT_FALSE(fs::exists(dir.path() / "p.tar"));
}

TEST(FileTransportsTest, AnArchiveAbandonedBeforeCommitLeavesNoFile) {
  TempDir dir(fs::temp_directory_path(), "schicht-file-transports");
  OneImage image;
  {
    auto destination = oci_archive_destination(dir.path() / "a.tar", "", "oci-archive:a.tar");
    const Descriptor& layer = image.layers()[0];
    StringReader data(image.bytes(layer.digest));
    destination->put_blob(layer, data);
    EXPECT_TRUE(destination->try_reuse(layer, image));
  }
  EXPECT_TRUE(fs::is_empty(dir.path()));
  // A blob whose bytes do not match: refused, and nothing stays either.
  {
    auto destination = oci_archive_destination(dir.path() / "b.tar", "", "oci-archive:b.tar");
    Descriptor layer = image.layers()[1];
    std::string other(static_cast<size_t>(layer.size), 'z');
    StringReader data(other);
    error_of(ErrorKind::kIntegrity, [&] { destination->put_blob(layer, data); });
    error_of(ErrorKind::kInternal, [&] { destination->commit(); });
  }
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

// Signatures in a dir: layout, as skopeo keeps them: signature-1, -2, ... read back in order;
// the next image committed there drops those of the one it replaces.
TEST(FileTransportsTest, DirSignaturesAreReadBackAndReplacedWithTheImage) {
  TempDir dir(temp_root(), "schicht-dir-sigs");
  fs::path layout = dir.path() / "d";
  OneImage image;
  copy_between(image, *dir_destination(layout, "dir:"), CopyOptions{});
  EXPECT_EQ(read_dir_signatures(layout), std::vector<std::string>{});
  write_dir_signatures(layout, {"first", "second"});
  EXPECT_EQ(read_file(layout / "signature-2"), "second");
  EXPECT_EQ(read_dir_signatures(layout), (std::vector<std::string>{"first", "second"}));
  copy_between(image, *dir_destination(layout, "dir:"), CopyOptions{});
  EXPECT_FALSE(fs::exists(layout / "signature-1"));
  EXPECT_EQ(read_dir_signatures(layout), std::vector<std::string>{});
}

}  // namespace
}  // namespace schicht::copy
