#include "copy/docker_image.h"

#include <fmt/format.h>

#include <optional>
#include <utility>

#include "core/error.h"
#include "oci/manifest.h"

namespace schicht::copy {
namespace {

std::string version_of(const Reference& reference) {
  if (reference.digest) return reference.digest->str();
  return reference.tag.empty() ? std::string("latest") : reference.tag;
}

class DockerSource final : public ImageSource {
 public:
  DockerSource(Reference reference, const registry::RegistryOptions& options)
      : reference_(std::move(reference)),
        owned_(std::make_unique<registry::RegistryClient>(reference_.domain, options)),
        client_(*owned_) {}
  DockerSource(Reference reference, registry::RegistryClient& client)
      : reference_(std::move(reference)), client_(client) {}

  std::string name() const override { return "docker://" + reference_.str(); }

  RawManifest manifest(const std::optional<Digest>& instance) override {
    registry::Manifest got =
        client_.get_manifest(reference_.path, instance ? instance->str() : version_of(reference_));
    std::string type = detect_manifest_type(got.bytes, got.media_type);
    return RawManifest{.bytes = std::move(got.bytes), .media_type = std::move(type)};
  }

  void get_blob(const Descriptor& blob, Writer& out) override {
    client_.get_blob(reference_.path, blob.digest, static_cast<uint64_t>(blob.size), out);
  }

  std::optional<RegistryRepository> repository() const override {
    return RegistryRepository{.host = reference_.domain, .path = reference_.path};
  }

 private:
  Reference reference_;
  std::unique_ptr<registry::RegistryClient> owned_;  // null when the client is borrowed
  registry::RegistryClient& client_;
};

class DockerDestination final : public ImageDestination {
 public:
  DockerDestination(Reference reference, const registry::RegistryOptions& options)
      : reference_(std::move(reference)), client_(reference_.domain, options) {}

  std::string name() const override { return "docker://" + reference_.str(); }
  bool accepts_index() const override { return true; }

  bool try_reuse(const Descriptor& blob, const ImageSource& source) override {
    if (client_.head_blob(reference_.path, blob.digest)) return true;
    std::optional<RegistryRepository> from = source.blob_repository(blob);
    return from && from->host == reference_.domain &&
           client_.mount_blob(reference_.path, blob.digest, from->path);
  }

  void put_blob(const Descriptor& blob, Reader& data) override {
    // The registry verifies the digest when the upload is committed (PUT ?digest=).
    with_context("writing blob", [&] {
      client_.push_blob(reference_.path, blob.digest, static_cast<uint64_t>(blob.size), data);
    });
  }

  // Instances go under their digests at once (unnamed, like blobs); the top manifest names the
  // image, so it waits for commit(): a copy abandoned before leaves no tag behind.
  void put_manifest(std::string_view bytes, std::string_view media_type, bool top) override {
    if (top) {
      top_ = std::pair{std::string(bytes), std::string(media_type)};
      return;
    }
    client_.put_manifest(reference_.path, Digest::sha256_of(bytes).str(), bytes, media_type);
  }

  void commit() override {
    if (!top_) return;
    client_.put_manifest(reference_.path, version_of(reference_), top_->first, top_->second);
    top_.reset();
  }

 private:
  Reference reference_;
  registry::RegistryClient client_;
  std::optional<std::pair<std::string, std::string>> top_;  // bytes, media type
};

}  // namespace

std::unique_ptr<ImageSource> docker_source(const Reference& reference,
                                           const registry::RegistryOptions& options) {
  return std::make_unique<DockerSource>(reference, options);
}

std::unique_ptr<ImageSource> docker_source(const Reference& reference,
                                           registry::RegistryClient& client) {
  return std::make_unique<DockerSource>(reference, client);
}

std::unique_ptr<ImageDestination> docker_destination(const Reference& reference,
                                                     const registry::RegistryOptions& options) {
  return std::make_unique<DockerDestination>(reference, options);
}

}  // namespace schicht::copy
