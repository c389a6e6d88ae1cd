#include "sbom/remote_image.h"

#include <exception>
#include <thread>

#include <fmt/format.h>

#include "archive/compression.h"
#include "copy/byte_pipe.h"
#include "core/error.h"
#include "core/media_type.h"
#include "core/platform.h"
#include "oci/index.h"
#include "oci/manifest.h"

namespace schicht::sbom {
namespace {

// Enough to keep a download going while the tar is read; memory stays bounded.
constexpr size_t kPipeCapacity = size_t{4} << 20;

// A layer's uncompressed tar as it downloads: a thread writes the blob into a bounded pipe,
// hashing it; a digest mismatch fails the read after its last byte.
class StreamedLayer final : public Reader {
 public:
  StreamedLayer(registry::RegistryClient& client, std::string repository, Descriptor layer)
      : pipe_(kPipeCapacity), name_(fmt::format("layer {} of {}", layer.digest.str(), repository)) {
    producer_ = std::thread([this, &client, repository = std::move(repository), layer] {
      try {
        HashingWriter hashed(&pipe_.writer());
        client.get_blob(repository, layer.digest, static_cast<uint64_t>(layer.size), hashed);
        if (hashed.finish() != layer.digest) {
          fail(ErrorKind::kIntegrity, fmt::format("layer {} of {} does not match its digest",
                                                  layer.digest.str(), repository));
        }
        pipe_.close();
      } catch (...) {
        pipe_.fail(std::current_exception());
      }
    });
  }
  ~StreamedLayer() override {
    pipe_.abandon();
    producer_.join();
  }
  StreamedLayer(const StreamedLayer&) = delete;
  StreamedLayer& operator=(const StreamedLayer&) = delete;

  size_t read(void* buffer, size_t size) override {
    // Opened on the first read, so that a failure here still joins the thread (destructor).
    return with_context(name_, [&] {
      if (!tar_) tar_ = decompress(pipe_.reader());
      return tar_->read(buffer, size);
    });
  }

 private:
  copy::BytePipe pipe_;
  std::string name_;  // for errors
  std::thread producer_;
  std::unique_ptr<DecompressingReader> tar_;
};

registry::Manifest fetch(registry::RegistryClient& client, const Reference& ref,
                         std::string_view tag_or_digest, std::string& type) {
  registry::Manifest m = client.get_manifest(ref.path, tag_or_digest);
  type = detect_manifest_type(m.bytes, m.media_type);
  return m;
}

}  // namespace

RemoteImage remote_image(registry::RegistryClient& client, const Reference& reference) {
  std::string tag = reference.digest        ? reference.digest->str()
                    : reference.tag.empty() ? std::string("latest")
                                            : reference.tag;
  std::string type;
  registry::Manifest top = fetch(client, reference, tag, type);
  if (media_type::is_index(type)) {
    Index index = parse_index(top.bytes, type);
    std::vector<std::optional<Platform>> platforms;
    for (const Descriptor& d : index.manifests) platforms.push_back(d.platform);
    std::optional<size_t> chosen = choose_platform(Platform::host(), platforms);
    if (!chosen) {
      fail(ErrorKind::kUnsupported,
           fmt::format("{}: the image index has no image for this machine", reference.str()));
    }
    top = fetch(client, reference, index.manifests[*chosen].digest.str(), type);
  }
  if (!media_type::is_manifest(type)) {
    fail(ErrorKind::kUnsupported,
         fmt::format("{}: not an image manifest ({})", reference.str(), type));
  }
  Manifest manifest = parse_manifest(std::move(top.bytes), type);
  if (!manifest.artifact_type.empty() || manifest.config.media_type == media_type::kOciEmpty) {
    fail(ErrorKind::kUnsupported,
         fmt::format("{}: an artifact, not an image: it has no root filesystem", reference.str()));
  }
  RemoteImage out{.manifest_digest = manifest.digest, .config_digest = manifest.config.digest};
  for (const Descriptor& layer : manifest.layers) {
    out.layers.push_back(
        LayerInput{.name = "layer " + layer.digest.str(),
                   .open = [&client, path = reference.path, layer]() -> std::unique_ptr<Reader> {
                     return std::make_unique<StreamedLayer>(client, path, layer);
                   }});
  }
  return out;
}

}  // namespace schicht::sbom
