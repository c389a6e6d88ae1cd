#include "copy/convert.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

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

}  // namespace

ManifestFormat parse_manifest_format(std::string_view name) {
  if (name == "oci") return ManifestFormat::kOci;
  if (name == "v2s2") return ManifestFormat::kDockerV2S2;
  if (name == "v2s1") {
    fail(ErrorKind::kUnsupported, "Docker schema 1 manifests (v2s1) are not supported");
  }
  fail(ErrorKind::kInvalidInput,
       fmt::format("unknown format \"{}\". Choose on of the supported formats: 'oci', 'v2s1', or "
                   "'v2s2'",
                   name));
}

ManifestFormat format_of(std::string_view manifest_media_type) {
  return manifest_media_type == media_type::kDockerManifest ? ManifestFormat::kDockerV2S2
                                                            : ManifestFormat::kOci;
}

std::string layer_type(Compression compression, ManifestFormat format) {
  bool oci = format == ManifestFormat::kOci;
  switch (compression) {
    case Compression::kNone:
      return std::string(oci ? media_type::kOciLayer : media_type::kDockerLayer);
    case Compression::kGzip:
      return std::string(oci ? media_type::kOciLayerGzip : media_type::kDockerLayerGzip);
    case Compression::kZstd:
      if (oci) return std::string(media_type::kOciLayerZstd);
      fail(ErrorKind::kUnsupported,
           "zstd-compressed layers cannot be described by a Docker v2s2 manifest; use --format "
           "oci");
    default:
      fail(ErrorKind::kUnsupported, fmt::format("{} layers cannot be described by a manifest",
                                                compression_name(compression)));
  }
}

Compression named_compression(const std::string& type) {
  if (type == media_type::kOciLayer || type == media_type::kDockerLayer) return Compression::kNone;
  if (type == media_type::kOciLayerGzip || type == media_type::kDockerLayerGzip) {
    return Compression::kGzip;
  }
  if (type == media_type::kOciLayerZstd) return Compression::kZstd;
  fail(ErrorKind::kUnsupported,
       fmt::format("layer media type {} cannot be converted to another manifest format", type));
}

Compression sniff_compression(ImageSource& source, const Descriptor& blob) {
  if (std::unique_ptr<Reader> direct = source.open_blob(blob)) {
    // Read in place: the magic bytes alone.
    std::string magic(kCompressionMagicSize, '\0');
    size_t got = 0;
    while (got < magic.size()) {
      size_t n = direct->read(magic.data() + got, magic.size() - got);
      if (n == 0) break;
      got += n;
    }
    magic.resize(got);
    return detect_compression(magic);
  }
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

RawManifest convert_manifest(const Manifest& manifest, const std::vector<Descriptor>& layers,
                             const std::vector<Compression>& compressions, ManifestFormat format,
                             const std::string& source_name) {
  bool from_oci = manifest.media_type != media_type::kDockerManifest;
  Descriptor config = manifest.config;
  std::vector<Descriptor> typed = layers;
  for (size_t i = 0; i < typed.size(); ++i) {
    named_compression(manifest.layers[i].media_type);  // foreign layers are not converted
    typed[i].media_type = layer_type(compressions[i], format);
  }
  if (format == ManifestFormat::kOci) {
    config.media_type = media_type::kOciConfig;
    return RawManifest{
        .bytes = serialize_oci_manifest(
            config, typed, from_oci ? manifest.annotations : std::map<std::string, std::string>{},
            from_oci ? manifest.subject : std::nullopt),
        .media_type = std::string(media_type::kOciManifest)};
  }
  if (!manifest.artifact_type.empty() || manifest.subject ||
      (from_oci && manifest.config.media_type != media_type::kOciConfig)) {
    fail(ErrorKind::kUnsupported,
         fmt::format("{}: an OCI artifact (config type {}) cannot be converted to a Docker v2s2 "
                     "manifest",
                     source_name, manifest.config.media_type));
  }
  config.media_type = media_type::kDockerConfig;
  return RawManifest{.bytes = serialize_docker_manifest(config, typed),
                     .media_type = std::string(media_type::kDockerManifest)};
}

}  // namespace schicht::copy
