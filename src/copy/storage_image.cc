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
#include "core/platform.h"
#include "core/reference.h"
#include "oci/config.h"
#include "oci/index.h"
#include "oci/manifest.h"
#include "snapshot/snapshotter.h"
#include "store/image_writer.h"
#include "store/lists.h"
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

}  // namespace

// What a destination's commit() records: its images with their names, and the list.
struct StoreRows {
  std::vector<std::pair<store::NewImage, std::vector<std::string>>> images;
  struct List {
    std::vector<std::string> names;
    std::string raw;
    std::string media_type;
    store::ListSources sources;
  };
  std::optional<List> list;
};

namespace {

// The rows after their blobs: the images (one transaction), then (kill point between) the list
// under each name.
void record_rows(store::ImageWriter& writer, const std::vector<StoreRows>& all,
                 const std::string& action) {
  std::vector<store::NamedImage> images;
  for (const StoreRows& rows : all) {
    for (const auto& [image, names] : rows.images) images.push_back({image, names});
  }
  writer.record(images, action);
  writer.commit();
  for (const StoreRows& rows : all) {
    if (!rows.list) continue;
    kill_point(action + "-images-stored");
    for (const std::string& name : rows.list->names) {
      store::put_list(writer.store(), name, rows.list->raw, rows.list->media_type,
                      rows.list->media_type, std::nullopt, rows.list->sources);
    }
  }
}

class StorageDestination final : public ImageDestination {
 public:
  StorageDestination(store::Store& store, std::string name, std::vector<std::string> names,
                     std::string action, PlatformChoice platform, store::ListSources sources = {},
                     bool unpack = false)
      : owned_(std::make_unique<store::ImageWriter>(store)),
        writer_(*owned_),
        name_(std::move(name)),
        image_names_(std::move(names)),
        action_(std::move(action)),
        platform_(std::move(platform)),
        sources_(std::move(sources)) {
    if (unpack) {
      snapshots_.emplace(store.root() / "snapshots");
      // What killed pulls left behind: no one else would ever place it.
      snapshots_->remove_stale_unpacked();
    }
  }
  // One image of a StoreBatch: its writer, its rows queued there by commit().
  StorageDestination(StoreBatch& batch, size_t slot, store::ImageWriter& writer, std::string name,
                     std::vector<std::string> names, std::string action, PlatformChoice platform)
      : batch_(&batch),
        slot_(slot),
        writer_(writer),
        name_(std::move(name)),
        image_names_(std::move(names)),
        action_(std::move(action)),
        platform_(std::move(platform)) {}

  std::string name() const override { return name_; }
  bool accepts_index() const override { return true; }
  std::vector<std::string> manifest_types() const override {
    return {std::string(media_type::kOciManifest), std::string(media_type::kDockerManifest),
            std::string(media_type::kOciIndex), std::string(media_type::kDockerManifestList)};
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
    if (!snapshots_ || unpacked_count() >= kMaxUnpacked) {
      LayerDigests layer = store_layer(writer_, blob, data, what);
      std::lock_guard lock(mutex_);
      layers_.insert_or_assign(blob.digest, layer);
      return;
    }
    std::unique_ptr<snapshot::UnpackedLayer> unpacked;
    LayerDigests layer = store_layer(writer_, blob, data, what, *snapshots_, unpacked);
    std::lock_guard lock(mutex_);
    layers_.insert_or_assign(blob.digest, layer);
    if (unpacked) unpacked_.insert_or_assign(blob.digest, std::move(unpacked));
  }

  void put_manifest(std::string_view bytes, std::string_view type, bool top) override {
    if (media_type::is_index(type)) {
      if (!top) fail(ErrorKind::kUnsupported, name_ + ": a manifest list inside a list");
      list_ = with_context("reading manifest list for " + name_,
                           [&] { return parse_index(std::string(bytes), type); });
      return;
    }
    Manifest manifest = parse_manifest(std::string(bytes), type);
    ImageConfig config = with_context(fmt::format("config {}", manifest.config.digest.str()), [&] {
      return parse_config(writer_.read_blob(manifest.config.digest, kConfigLimit));
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
    for (const auto& image : images_) {
      if (image.first == manifest.digest) return;  // a list naming one instance twice
    }
    if (!writer_.protect(manifest.digest)) writer_.put(bytes, manifest.digest, "manifest");
    chains_.push_back(layers);
    images_.emplace_back(manifest.digest,
                         store::describe_image(config, manifest, std::move(layers)));
  }

  void commit() override {
    if (images_.empty()) {
      fail(ErrorKind::kUnsupported,
           fmt::format("{}: the store keeps a manifest list only with its images (copy it with "
                       "--multi-arch all)",
                       name_));
    }
    kill_point(action_ + "-blobs-stored");
    StoreRows rows;
    if (!list_) {
      rows.images.emplace_back(images_.front().second, image_names_);
    } else {
      // Each instance as an image named NAME@DIGEST; the one for the platform also as NAME;
      // the list under NAME (store/lists.h), byte-exact, so its digest stays the source's.
      // Without a name (an archive entry that has none) the instances go in unnamed and the
      // list, which the store keeps only under a name, is not kept.
      std::optional<Digest> named = chosen_instance(*list_);
      for (const auto& [digest, image] : images_) {
        std::vector<std::string> names;
        for (const std::string& name : image_names_) {
          Reference by_digest = Reference::parse(name);
          by_digest.tag.clear();
          by_digest.digest = digest;
          names.push_back(by_digest.str());
        }
        if (named == digest) names.insert(names.begin(), image_names_.begin(), image_names_.end());
        rows.images.emplace_back(image, std::move(names));
      }
      if (!image_names_.empty()) {
        rows.list = StoreRows::List{image_names_, list_->raw, list_->media_type, sources_};
      }
    }
    if (batch_ != nullptr) {
      batch_->queue(slot_, std::move(rows));
    } else {
      record_rows(writer_, {std::move(rows)}, action_);
      place_snapshots();
    }
  }

 private:
  std::unique_ptr<store::ImageWriter> owned_;  // null in a StoreBatch
  StoreBatch* batch_ = nullptr;
  size_t slot_ = 0;  // in batch_
  store::ImageWriter& writer_;
  std::string name_;
  std::vector<std::string> image_names_;  // normalized, each with a tag or a digest
  std::string action_;  // the tag log's and the events' word, and the kill points' prefix
  std::mutex mutex_;    // layers_, unpacked_
  std::map<Digest, LayerDigests> layers_;
  // Unpack while pulling: the layers extracted as they streamed in, by blob digest, placed as
  // snapshots once the image is recorded (so a crash never leaves a snapshot no image needs:
  // before, only temp dirs that the next such pull removes).
  std::optional<snapshot::Snapshotter> snapshots_;
  std::map<Digest, std::unique_ptr<snapshot::UnpackedLayer>> unpacked_;
  std::vector<std::vector<store::LayerInfo>> chains_;  // each image's layers, bottom first

  // Each unpacked layer holds a descriptor (and a lock) until it is placed: past this many, the
  // rest of a very tall image is built when used.
  static constexpr size_t kMaxUnpacked = 256;
  size_t unpacked_count() {
    std::lock_guard lock(mutex_);
    return unpacked_.size();
  }

  void place_snapshots() {
    if (!snapshots_) return;
    ignore_error("snapshots are derived data: create builds any missing one from its blob", [&] {
      for (const std::vector<store::LayerInfo>& layers : chains_) {
        std::optional<Digest> chain;
        std::vector<fs::path> lowers;  // bottom first: a layer's own directories may need them
        for (const store::LayerInfo& layer : layers) {
          chain = chain ? chain_id(*chain, layer.diff_id) : layer.diff_id;
          auto found = unpacked_.find(layer.digest);
          if (found != unpacked_.end()) {
            // put_manifest checked this diff ID against the config's; place() checks that the
            // tree is the one that stream gave.
            snapshots_->place(*chain, layer.diff_id, *found->second, lowers);
            unpacked_.erase(found);
          }
          lowers.push_back(snapshots_->path_of(*chain));
        }
      }
    });
    unpacked_.clear();
  }
  std::optional<Digest> chosen_instance(const Index& index) const {
    std::vector<std::optional<Platform>> platforms;
    for (const Descriptor& d : index.manifests) {
      bool stored = std::any_of(images_.begin(), images_.end(),
                                [&](const auto& image) { return image.first == d.digest; });
      platforms.push_back(stored ? d.platform : std::nullopt);
    }
    std::optional<size_t> chosen = choose_platform(platforms, wanted_platforms(platform_));
    if (!chosen) return std::nullopt;
    return index.manifests[*chosen].digest;
  }

  PlatformChoice platform_;     // which instance of a list the name itself gets
  store::ListSources sources_;  // recorded with the list
  // Each image manifest put, by digest: one, or a list's instances.
  std::vector<std::pair<Digest, store::NewImage>> images_;
  std::optional<Index> list_;
};

// How messages name a destination in the store.
std::string storage_shown(const std::vector<std::string>& names) {
  return "containers-storage:" + (names.empty() ? std::string() : names.front());
}

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
  return std::make_unique<StorageDestination>(
      store, ref.str(), std::vector<std::string>{named.str()}, "copy", PlatformChoice{});
}

std::unique_ptr<ImageDestination> storage_destination(
    store::Store& store, const std::string& image_name, const std::string& action,
    const PlatformChoice& platform, const store::ListSources& sources, bool unpack) {
  return std::make_unique<StorageDestination>(store, "containers-storage:" + image_name,
                                              std::vector<std::string>{image_name}, action,
                                              platform, sources, unpack);
}

std::unique_ptr<ImageDestination> storage_destination(store::Store& store,
                                                      const std::vector<std::string>& names,
                                                      const std::string& action, bool unpack) {
  return std::make_unique<StorageDestination>(store, storage_shown(names), names, action,
                                              PlatformChoice{}, store::ListSources{}, unpack);
}

StoreBatch::StoreBatch(store::Store& store, std::string action)
    : writer_(std::make_unique<store::ImageWriter>(store)), action_(std::move(action)) {
  // Thousands of small blobs: durable in groups, not with two fsyncs each.
  writer_->group_commits();
}

StoreBatch::~StoreBatch() = default;

std::unique_ptr<ImageDestination> StoreBatch::destination(size_t slot,
                                                          const std::vector<std::string>& names) {
  return std::make_unique<StorageDestination>(*this, slot, *writer_, storage_shown(names), names,
                                              action_, PlatformChoice{});
}

void StoreBatch::queue(size_t slot, StoreRows rows) {
  std::lock_guard lock(mutex_);
  queued_.insert_or_assign(slot, std::move(rows));
}

void StoreBatch::commit() {
  std::vector<StoreRows> rows;
  for (auto& [slot, queued] : queued_) rows.push_back(std::move(queued));
  record_rows(*writer_, rows, action_);
}

}  // namespace schicht::copy
