#include "copy/storage_image.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>

#include <fmt/format.h>

#include "copy/layer_split.h"
#include "core/error.h"
#include "core/kill_point.h"
#include "core/media_type.h"
#include "oci/config.h"
#include "oci/manifest.h"
#include "store/image_writer.h"
#include "store/lookup.h"
#include "transport/storage_name.h"

namespace schicht::copy {
namespace {

// Configs are small JSON documents; anything near this is not one.
constexpr size_t kConfigLimit = size_t{32} << 20;
constexpr size_t kManifestLimit = size_t{64} << 20;

bool is_config(const Descriptor& blob) {
  return blob.media_type == media_type::kOciConfig || blob.media_type == media_type::kDockerConfig;
}

class StorageSource final : public ImageSource {
 public:
  StorageSource(store::Store& store, const transport::TransportRef& ref)
      : store_(store), ref_(ref), name_(transport::storage_name(ref)) {}

  std::string name() const override { return ref_.str(); }

  RawManifest manifest(const std::optional<Digest>& instance) override {
    const store::ImageInfo& info = image();
    Digest digest = info.manifest_digest;
    if (instance) {
      digest = *instance;
    } else if (name_.named && name_.named->digest) {
      digest = *name_.named->digest;
    }
    if (std::find(info.digests.begin(), info.digests.end(), digest) == info.digests.end() &&
        digest != info.manifest_digest) {
      fail(ErrorKind::kNotFound,
           fmt::format("image {} has no manifest {}", info.id.str(), digest.str()));
    }
    std::string bytes = store_.blobs().read(digest, kManifestLimit);
    std::string type = detect_manifest_type(bytes, info.manifest_media_type);
    return RawManifest{std::move(bytes), std::move(type)};
  }

  void get_blob(const Descriptor& blob, Writer& out) override {
    UniqueFd fd = store_.blobs().open(blob.digest);
    FdReader reader(fd.get(), store_.blobs().path_of(blob.digest).string());
    copy_stream(reader, out);
  }

 private:
  const store::ImageInfo& image() {
    if (info_) return *info_;
    std::optional<Digest> id = store::find_image(store_, name_.image);
    std::optional<store::ImageInfo> info = id ? store_.image(*id) : std::nullopt;
    if (!info) {
      fail(ErrorKind::kNotFound,
           fmt::format("reference {:?} does not resolve to an image ID: identifier is not an "
                       "image",
                       name_.named ? name_.named->str() : name_.image));
    }
    info_ = std::move(info);
    return *info_;
  }

  store::Store& store_;
  transport::TransportRef ref_;
  transport::StorageName name_;
  std::optional<store::ImageInfo> info_;
};

class StorageDestination final : public ImageDestination {
 public:
  StorageDestination(store::Store& store, std::string name, std::string image, std::string action)
      : writer_(store),
        name_(std::move(name)),
        image_name_(std::move(image)),
        action_(std::move(action)) {}

  std::string name() const override { return name_; }
  bool accepts_index() const override { return false; }
  std::vector<std::string> manifest_types() const override {
    return {std::string(media_type::kOciManifest), std::string(media_type::kDockerManifest)};
  }

  bool try_reuse(const Descriptor& blob, const ImageSource&) override {
    if (!writer_.protect(blob.digest)) return false;
    if (!is_config(blob)) {
      LayerDigests layer = writer_.stored_layer(blob.digest);
      std::lock_guard lock(mutex_);
      layers_.insert_or_assign(blob.digest, layer);
    }
    return true;
  }

  void put_blob(const Descriptor& blob, Reader& data) override {
    std::string what = "blob " + blob.digest.str();
    auto size = static_cast<uint64_t>(blob.size);
    if (is_config(blob)) {
      writer_.put_blob(data, blob.digest, size, what);
      return;
    }
    LayerDigests layer = store_layer(writer_, blob, data, what);
    std::lock_guard lock(mutex_);
    layers_.insert_or_assign(blob.digest, layer);
  }

  void put_manifest(std::string_view bytes, std::string_view type, bool top) override {
    if (!top) fail(ErrorKind::kInternal, "the store destination takes no manifest list");
    Manifest manifest = parse_manifest(std::string(bytes), type);
    store::Store& store = writer_.store();
    ImageConfig config = with_context(fmt::format("config {}", manifest.config.digest.str()), [&] {
      return parse_config(store.blobs().read(manifest.config.digest, kConfigLimit));
    });
    if (config.diff_ids.size() != manifest.layers.size()) {
      fail(ErrorKind::kInvalidInput,
           fmt::format("manifest {} has {} layers but its config {} lists {} diffIDs",
                       manifest.digest.str(), manifest.layers.size(), config.id.str(),
                       config.diff_ids.size()));
    }
    std::vector<store::LayerInfo> layers;
    for (size_t i = 0; i < manifest.layers.size(); ++i) {
      const Descriptor& d = manifest.layers[i];
      auto stored = layers_.find(d.digest);
      if (stored == layers_.end()) {
        fail(ErrorKind::kInternal, fmt::format("layer {} of manifest {} was not stored",
                                               d.digest.str(), manifest.digest.str()));
      }
      const LayerDigests& got = stored->second;
      if (got.diff_id != config.diff_ids[i]) {
        fail(ErrorKind::kIntegrity,
             fmt::format("layer {}: its diffID is {}, but the image config names {}",
                         d.digest.str(), got.diff_id.str(), config.diff_ids[i].str()));
      }
      layers.push_back(store::LayerInfo{d.digest, static_cast<uint64_t>(d.size), d.media_type,
                                        got.diff_id, got.uncompressed_size});
    }
    kill_point(action_ + "-layers-stored");
    if (!writer_.protect(manifest.digest)) writer_.put(bytes, manifest.digest, "manifest");
    image_ = store::describe_image(config, manifest, std::move(layers));
  }

  void commit() override {
    if (!image_) fail(ErrorKind::kInternal, "committing a store destination without a manifest");
    kill_point(action_ + "-blobs-stored");
    writer_.commit(*image_, {image_name_}, action_);
  }

 private:
  store::ImageWriter writer_;
  std::string name_;
  std::string image_name_;
  std::string action_;  // the tag log's and the events' word, and the kill points' prefix
  std::mutex mutex_;    // layers_
  std::map<Digest, LayerDigests> layers_;
  std::optional<store::NewImage> image_;
};

}  // namespace

std::unique_ptr<ImageSource> storage_source(store::Store& store,
                                            const transport::TransportRef& ref) {
  return std::make_unique<StorageSource>(store, ref);
}

std::unique_ptr<ImageDestination> storage_destination(store::Store& store,
                                                      const transport::TransportRef& ref) {
  transport::StorageName name = transport::storage_name(ref);
  if (!name.named) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("{}: a destination in the store needs an image name, not an ID", ref.str()));
  }
  Reference named = *name.named;
  if (named.digest) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("{}: a destination in the store cannot be named by digest", ref.str()));
  }
  return std::make_unique<StorageDestination>(store, ref.str(), named.str(), "copy");
}

std::unique_ptr<ImageDestination> storage_destination(store::Store& store,
                                                      const std::string& image_name,
                                                      const std::string& action) {
  return std::make_unique<StorageDestination>(store, "containers-storage:" + image_name, image_name,
                                              action);
}

}  // namespace schicht::copy
