#include "copy/push.h"

#include <algorithm>

#include <fmt/format.h>

#include "copy/archive_image.h"
#include "copy/copy_image.h"
#include "copy/signatures.h"
#include "copy/sigstore_signatures.h"
#include "copy/stored_image.h"
#include "core/error.h"

namespace schicht::copy {
namespace {

using transport::Transport;
using transport::TransportRef;

void report(const TransferOptions& options, const std::string& line) {
  if (options.report) options.report(line);
}

// A repository of the destination's registry the image is named after: where its blobs may be
// mounted from.
std::optional<RegistryRepository> mount_source(const store::ImageInfo& image,
                                               const Reference& destination) {
  for (const std::string& name : image.names) {
    std::optional<Reference> ref = Reference::try_parse(name);
    if (ref && ref->domain == destination.domain && ref->path != destination.path) {
      return RegistryRepository{.host = ref->domain, .path = ref->path};
    }
  }
  return std::nullopt;
}

// The destination as the engine opens it: oci: and oci-archive: without a REF are given the
// image's name as their ref.name, as podman's push names them.
TransportRef named_destination(const TransportRef& destination, const PushOptions& options) {
  TransportRef out = destination;
  bool named =
      destination.transport == Transport::kOci || destination.transport == Transport::kOciArchive;
  if (named && out.ref.empty() && !options.image_name.empty()) out.ref = options.image_name;
  return out;
}

// A docker-archive lists REF (when given) and then the image's name in RepoTags, as podman's
// push writes it.
class DockerArchivePush final : public ImageDestination {
 public:
  DockerArchivePush(const TransportRef& destination, const PushOptions& options)
      : archive_(docker_archive_writer(destination.path, destination.str())) {
    std::vector<std::string> tags;
    if (!destination.ref.empty()) tags.push_back(destination.ref);
    std::optional<Reference> named = Reference::try_parse(options.image_name);
    if (named && !named->digest) tags.push_back(options.image_name);
    image_ = archive_->image(tags);
  }
  std::string name() const override { return image_->name(); }
  bool accepts_index() const override { return image_->accepts_index(); }
  std::vector<std::string> manifest_types() const override { return image_->manifest_types(); }
  bool keeps_manifests() const override { return image_->keeps_manifests(); }
  bool try_reuse(const Descriptor& blob, const ImageSource& source) override {
    return image_->try_reuse(blob, source);
  }
  void put_blob(const Descriptor& blob, Reader& data) override { image_->put_blob(blob, data); }
  void put_manifest(std::string_view bytes, std::string_view type, bool top) override {
    image_->put_manifest(bytes, type, top);
  }
  void commit() override {
    image_->commit();
    archive_->commit();
  }

 private:
  std::unique_ptr<DockerArchiveWriter> archive_;
  std::unique_ptr<ImageDestination> image_;
};

// A registry destination whose image is signed with --sign-by before its manifest goes up, as
// podman signs: a key that cannot sign leaves nothing named in the registry. The signature is
// stored by the caller once the manifest is written.
class SigningDestination final : public ImageDestination {
 public:
  SigningDestination(std::unique_ptr<ImageDestination> inner, Reference identity,
                     const PushOptions& options)
      : inner_(std::move(inner)), identity_(std::move(identity)), options_(options) {}
  std::string name() const override { return inner_->name(); }
  bool accepts_index() const override { return inner_->accepts_index(); }
  std::vector<std::string> manifest_types() const override { return inner_->manifest_types(); }
  bool keeps_manifests() const override { return inner_->keeps_manifests(); }
  bool try_reuse(const Descriptor& blob, const ImageSource& source) override {
    return inner_->try_reuse(blob, source);
  }
  void put_blob(const Descriptor& blob, Reader& data) override { inner_->put_blob(blob, data); }
  void put_manifest(std::string_view bytes, std::string_view type, bool top) override {
    if (top) {
      if (options_.report) options_.report("Signing manifest using simple signing");
      signature = sign_simple(identity_, Digest::sha256_of(bytes), options_.sign_by);
    }
    inner_->put_manifest(bytes, type, top);
  }
  void commit() override { inner_->commit(); }

  std::string signature;

 private:
  std::unique_ptr<ImageDestination> inner_;
  Reference identity_;
  const PushOptions& options_;
};

}  // namespace

Digest push_image(store::Store& store, const Digest& id, const TransportRef& destination,
                  const registry::RegistriesConf& conf, const PushOptions& options) {
  std::optional<store::ImageInfo> image = store.image(id);
  if (!image) fail(ErrorKind::kNotFound, fmt::format("{}: image not known", id.str()));
  StoredImage stored{.id = id, .name = "containers-storage:" + std::string(id.hex())};
  std::optional<Reference> registry;
  if (destination.transport == Transport::kDocker) {
    registry = Reference::parse(destination.rest).with_default_tag();
    // The manifest a digest destination names when the image has it, else the image's own.
    if (registry->digest && std::find(image->digests.begin(), image->digests.end(),
                                      *registry->digest) != image->digests.end()) {
      stored.manifest = registry->digest;
    }
    stored.mount_from = mount_source(*image, *registry);
  } else if (!destination.is_local()) {
    fail(ErrorKind::kUnsupported, fmt::format("pushing to {}: the {} transport is not supported",
                                              destination.str(), destination.name));
  }
  CopyOptions copy;
  copy.transfer = options;
  copy.destination_registry = options.registry;
  copy.format = options.format;
  copy.compression = options.compression;
  // To a registry as podman pushes (a push by digest must keep the stored manifest); to dir:
  // with --compress; the layouts and archives keep layers as stored.
  copy.gzip_uncompressed_layers =
      destination.transport == Transport::kDir ? options.compress : registry && !registry->digest;
  copy.retry_blobs = true;
  // Before anything is read: a push that cannot store its signatures does not start.
  std::shared_ptr<const trust::RegistriesD> registries_d = options.registries_d;
  if ((!options.sign_by.empty() || options.sigstore_key) && !registry) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("cannot sign {}: signatures are stored for docker:// destinations only",
                     destination.str()));
  }
  if (!options.sign_by.empty()) {
    if (!registries_d) registries_d = load_registries_d("");
    // The staging base must be writable; the digest only names the subdirectory.
    lookaside_write_dir(*registries_d, *registry, Digest::sha256_of(""));
  }
  if (options.sigstore_key) require_sigstore_attachments(registries_d, *registry);

  TransportRef target = named_destination(destination, options);
  std::unique_ptr<ImageSource> source = stored_image_source(store, std::move(stored));
  std::unique_ptr<ImageDestination> written =
      target.transport == Transport::kDockerArchive
          ? std::make_unique<DockerArchivePush>(target, options)
          : open_destination(target, conf, copy);
  SigningDestination* signing = nullptr;
  if (!options.sign_by.empty()) {
    auto wrapped = std::make_unique<SigningDestination>(std::move(written), *registry, options);
    signing = wrapped.get();
    written = std::move(wrapped);
  }
  Digest pushed = copy_between(*source, *written, copy);
  if (options.sigstore_key) {
    report(options, "Signing manifest using a sigstore signature");
    registry::RegistryClient client(registry->domain, endpoint_options(*registry, conf, options));
    // The identity is the destination as written, tagged (containers/image signs that).
    push_sigstore_signature(client, registry->path, pushed, registry->with_default_tag().str(),
                            *options.sigstore_key);
  }
  if (signing != nullptr) {
    write_lookaside_signature(lookaside_write_dir(*registries_d, *registry, pushed),
                              signing->signature);
  }
  store.touch(id);
  return pushed;
}

Digest push_image(store::Store& store, const Digest& id, const Reference& destination,
                  const registry::RegistriesConf& conf, const PushOptions& options) {
  std::optional<TransportRef> ref =
      transport::parse_transport_name("docker://" + destination.str());
  if (!ref) fail(ErrorKind::kInternal, "push: not a docker reference: " + destination.str());
  return push_image(store, id, *ref, conf, options);
}

}  // namespace schicht::copy
