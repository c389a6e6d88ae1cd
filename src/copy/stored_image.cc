#include "copy/stored_image.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/error.h"
#include "oci/manifest.h"

namespace schicht::copy {
namespace {

// Manifests and lists are small JSON documents; anything near this is not one.
constexpr size_t kManifestLimit = size_t{64} << 20;

class StoredImageSource final : public ImageSource {
 public:
  StoredImageSource(store::Store& store, StoredImage image)
      : store_(store), image_(std::move(image)) {}

  std::string name() const override { return image_.name; }

  RawManifest manifest(const std::optional<Digest>& instance) override {
    if (instance) return instance_manifest(*instance);
    if (image_.list) {
      std::string bytes = store_.blobs().read(*image_.list, kManifestLimit);
      std::string type = detect_manifest_type(bytes, image_.list_media_type);
      return RawManifest{std::move(bytes), std::move(type)};
    }
    std::optional<store::ImageInfo> info = store_.image(image_.id);
    if (!info) fail(ErrorKind::kNotFound, fmt::format("{}: image not known", image_.id.str()));
    Digest digest = image_.manifest.value_or(info->manifest_digest);
    if (digest != info->manifest_digest &&
        std::find(info->digests.begin(), info->digests.end(), digest) == info->digests.end()) {
      fail(ErrorKind::kNotFound,
           fmt::format("image {} has no manifest {}", info->id.str(), digest.str()));
    }
    std::string bytes = store_.blobs().read(digest, kManifestLimit);
    // The stored type is the image's own manifest's; another one is told by its bytes.
    std::string type = detect_manifest_type(
        bytes, digest == info->manifest_digest ? info->manifest_media_type : std::string());
    return RawManifest{std::move(bytes), std::move(type)};
  }

  void get_blob(const Descriptor& blob, Writer& out) override {
    UniqueFd fd = store_.blobs().open(blob.digest);
    FdReader reader(fd.get(), store_.blobs().path_of(blob.digest).string());
    copy_stream(reader, out);
  }

  std::unique_ptr<Reader> open_blob(const Descriptor& blob) override {
    return store_.blobs().open_reader(blob.digest);
  }

  std::optional<RegistryRepository> repository() const override { return image_.mount_from; }

 private:
  // An instance of the list: the manifest an image is stored under.
  RawManifest instance_manifest(const Digest& digest) {
    if (!store_.image_by_manifest(digest) || !store_.blobs().exists(digest)) {
      fail(ErrorKind::kNotFound,
           fmt::format("{}: image {} of the manifest list is not in local storage", image_.name,
                       digest.str()));
    }
    std::string bytes = store_.blobs().read(digest, kManifestLimit);
    std::string type = detect_manifest_type(bytes);
    return RawManifest{std::move(bytes), std::move(type)};
  }

  store::Store& store_;
  StoredImage image_;
};

}  // namespace

std::unique_ptr<ImageSource> stored_image_source(store::Store& store, StoredImage image) {
  return std::make_unique<StoredImageSource>(store, std::move(image));
}

}  // namespace schicht::copy
