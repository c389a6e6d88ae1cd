#include "trust/sigstore_attachment.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/media_type.h"

namespace schicht::trust {

std::string sigstore_attachment_tag(const Digest& manifest_digest) {
  return fmt::format("{}-{}.sig", manifest_digest.algorithm_name(), manifest_digest.hex());
}

std::vector<Descriptor> sigstore_signature_layers(const Manifest& attachment) {
  std::vector<Descriptor> out;
  for (const Descriptor& layer : attachment.layers) {
    if (layer.media_type == kSigstoreLayerType) out.push_back(layer);
  }
  return out;
}

SigstoreAttachment add_sigstore_signature(const std::optional<Manifest>& existing,
                                          std::string_view existing_config,
                                          std::string_view payload,
                                          std::string_view base64_signature,
                                          const std::map<std::string, std::string>& annotations) {
  using nlohmann::ordered_json;
  Digest payload_digest = Digest::sha256_of(payload);
  Descriptor layer{.media_type = std::string(kSigstoreLayerType),
                   .digest = payload_digest,
                   .size = static_cast<int64_t>(payload.size()),
                   .annotations = annotations};
  layer.annotations[std::string(kSigstoreSignatureAnnotation)] = std::string(base64_signature);
  std::vector<Descriptor> layers;
  // What Go's json.Marshal of an empty imgspecv1.Image gives, before diff_ids are added.
  ordered_json config = {{"architecture", ""},
                         {"os", ""},
                         {"config", ordered_json::object()},
                         {"rootfs", {{"type", "layers"}, {"diff_ids", ordered_json::array()}}}};
  if (existing) {
    layers = existing->layers;
    for (const Descriptor& d : layers) {
      if (d == layer) {
        return SigstoreAttachment{.config = std::string(existing_config),
                                  .config_descriptor = existing->config,
                                  .payload_descriptor = layer,
                                  .manifest = existing->raw,
                                  .changed = false};
      }
    }
    config = ordered_json::parse(existing_config, nullptr, false);
    if (!config.is_object()) {
      fail(ErrorKind::kInvalidInput, "the existing sigstore attachment's config is not JSON");
    }
    ordered_json& rootfs = config["rootfs"];
    if (rootfs.is_null()) rootfs = {{"type", "layers"}, {"diff_ids", ordered_json::array()}};
    if (!rootfs.is_object() || !(rootfs["diff_ids"].is_array() || rootfs["diff_ids"].is_null())) {
      fail(ErrorKind::kInvalidInput,
           "the existing sigstore attachment's config has an invalid rootfs");
    }
  }
  layers.push_back(layer);
  config["rootfs"]["diff_ids"].push_back(payload_digest.str());
  std::string config_bytes = config.dump();
  Descriptor config_descriptor{.media_type = std::string(media_type::kOciConfig),
                               .digest = Digest::sha256_of(config_bytes),
                               .size = static_cast<int64_t>(config_bytes.size())};
  return SigstoreAttachment{.config = config_bytes,
                            .config_descriptor = config_descriptor,
                            .payload_descriptor = layer,
                            .manifest = serialize_oci_manifest(config_descriptor, layers),
                            .changed = true};
}

}  // namespace schicht::trust
