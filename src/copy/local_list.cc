#include "copy/local_list.h"

#include <map>
#include <mutex>

#include <fmt/format.h>

#include "copy/docker_image.h"
#include "core/error.h"
#include "core/media_type.h"
#include "oci/index.h"
#include "oci/manifest.h"

namespace schicht::copy {
namespace {

// Manifests and lists are small JSON documents; anything near this is not one.
constexpr size_t kManifestLimit = size_t{64} << 20;

// One repository instances were added from, opened when one of them is first read.
struct Origin {
  Reference reference;
  std::unique_ptr<ImageSource> source;
};

class LocalListSource final : public ImageSource {
 public:
  LocalListSource(store::Store& store, LocalList list, const registry::RegistriesConf& conf,
                  const TransferOptions& options)
      : store_(store), list_(std::move(list)), conf_(conf), options_(options) {
    Index index = with_context("reading manifest list " + list_.name,
                               [&] { return parse_index(list_.bytes, list_.media_type); });
    for (const Descriptor& entry : index.manifests) {
      if (store_.image_by_manifest(entry.digest) && store_.blobs().exists(entry.digest)) continue;
      auto source = list_.sources.find(entry.digest.str());
      if (source == list_.sources.end()) {
        // podman's words for an instance whose image was removed since it was added.
        fail(ErrorKind::kNotFound,
             fmt::format("initializing source {}: image {} of the list does not resolve to an "
                         "image ID: identifier is not an image",
                         list_.name, entry.digest.str()));
      }
      origin_of_[entry.digest] = source->second;
    }
  }

  std::string name() const override { return list_.name; }

  RawManifest manifest(const std::optional<Digest>& instance) override {
    if (!instance) return RawManifest{list_.bytes, list_.media_type};
    auto remote = origin_of_.find(*instance);
    if (remote == origin_of_.end()) {
      std::string bytes = store_.blobs().read(*instance, kManifestLimit);
      std::string type = detect_manifest_type(bytes);
      return RawManifest{std::move(bytes), std::move(type)};
    }
    Origin& origin = open_origin(remote->second, *instance);
    RawManifest raw = origin.source->manifest(instance);
    // The blobs the store lacks come from the repository of the instance that names them.
    if (media_type::is_manifest(raw.media_type)) {
      Manifest manifest = parse_manifest(raw.bytes, raw.media_type);
      std::lock_guard lock(mutex_);
      blob_origin_.emplace(manifest.config.digest, &origin);
      for (const Descriptor& layer : manifest.layers) blob_origin_.emplace(layer.digest, &origin);
    }
    return raw;
  }

  void get_blob(const Descriptor& blob, Writer& out) override {
    if (Origin* origin = remote_blob(blob)) {
      origin->source->get_blob(blob, out);
      return;
    }
    std::unique_ptr<Reader> file = open_blob(blob);
    copy_stream(*file, out);
  }

  std::unique_ptr<Reader> open_blob(const Descriptor& blob) override {
    if (remote_blob(blob) != nullptr) return nullptr;
    return store_.blobs().open_reader(blob.digest);
  }

  std::optional<RegistryRepository> blob_repository(const Descriptor& blob) const override {
    std::lock_guard lock(mutex_);
    auto found = blob_origin_.find(blob.digest);
    if (found == blob_origin_.end()) return std::nullopt;
    const Reference& from = found->second->reference;
    return RegistryRepository{.host = from.domain, .path = from.path};
  }

 private:
  Origin& open_origin(const std::string& repository, const Digest& instance) {
    std::lock_guard lock(mutex_);
    auto [it, added] = origins_.try_emplace(repository);
    if (added) {
      Reference reference = Reference::parse(repository);
      reference.tag.clear();
      reference.digest = instance;
      it->second.reference = reference;
      it->second.source = docker_source(reference, endpoint_options(reference, conf_, options_));
    }
    return it->second;
  }

  // The repository a blob the store lacks is read from; null for a stored blob.
  Origin* remote_blob(const Descriptor& blob) {
    if (store_.blobs().exists(blob.digest)) return nullptr;
    std::lock_guard lock(mutex_);
    auto found = blob_origin_.find(blob.digest);
    if (found == blob_origin_.end()) {
      fail(ErrorKind::kNotFound,
           fmt::format("{}: blob {} is neither in local storage nor in the repository of an image "
                       "of the list",
                       list_.name, blob.digest.str()));
    }
    return found->second;
  }

  store::Store& store_;
  LocalList list_;
  const registry::RegistriesConf& conf_;
  TransferOptions options_;
  std::map<Digest, std::string> origin_of_;  // instance -> repository it was added from
  mutable std::mutex mutex_;
  std::map<std::string, Origin> origins_;
  std::map<Digest, Origin*> blob_origin_;
};

}  // namespace

std::unique_ptr<ImageSource> local_list_source(store::Store& store, LocalList list,
                                               const registry::RegistriesConf& conf,
                                               const TransferOptions& options) {
  return std::make_unique<LocalListSource>(store, std::move(list), conf, options);
}

}  // namespace schicht::copy
