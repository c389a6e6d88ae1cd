#include "copy/convert.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "archive/compression.h"
#include "core/error.h"
#include "core/media_type.h"

namespace schicht::copy {
namespace {

// Thrown by HeadWriter once it has what it needs: ends the blob read early.
struct EnoughBytes {};

class HeadWriter final : public Writer {
 public:
  using Writer::write;
  void write(const void* data, size_t size) override {
    size_t take = std::min(size, kCompressionMagicSize - head_.size());
    head_.append(static_cast<const char*>(data), take);
    if (head_.size() == kCompressionMagicSize) throw EnoughBytes{};
  }
  const std::string& head() const { return head_; }

 private:
  std::string head_;
};

Compression sniff(ImageSource& source, const Descriptor& blob) {
  HeadWriter head;
  try {
    source.get_blob(blob, head);
  } catch (const EnoughBytes&) {
  } catch (const Error&) {
    // A source may wrap what its writer threw; with the bytes in hand that is no failure.
    if (head.head().size() < kCompressionMagicSize) throw;
  }
  return detect_compression(head.head());
}

std::string oci_layer_type(ImageSource& source, const Descriptor& layer) {
  if (layer.media_type == media_type::kDockerForeignLayerGzip) {
    fail(ErrorKind::kUnsupported,
         fmt::format("{}: a foreign layer cannot be converted to OCI", source.name()));
  }
  switch (sniff(source, layer)) {
    case Compression::kNone:
      return std::string(media_type::kOciLayer);
    case Compression::kGzip:
      return std::string(media_type::kOciLayerGzip);
    case Compression::kZstd:
      return std::string(media_type::kOciLayerZstd);
    default:
      fail(ErrorKind::kUnsupported,
           fmt::format("{}: layer {} has a compression OCI has no media type for", source.name(),
                       layer.digest.str()));
  }
}

}  // namespace

RawManifest docker_to_oci(ImageSource& source, const Manifest& docker) {
  Descriptor config = docker.config;
  config.media_type = media_type::kOciConfig;
  std::vector<Descriptor> layers = docker.layers;
  for (Descriptor& layer : layers) layer.media_type = oci_layer_type(source, layer);
  return RawManifest{.bytes = serialize_oci_manifest(config, layers),
                     .media_type = std::string(media_type::kOciManifest)};
}

}  // namespace schicht::copy
