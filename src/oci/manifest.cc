#include "oci/manifest.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/media_type.h"
#include "oci/go_json.h"
#include "oci/json_internal.h"

namespace schicht {
namespace oci_internal {
namespace {

bool is_known_document_type(std::string_view type) {
  return media_type::is_manifest(type) || media_type::is_index(type) ||
         media_type::is_schema1(type);
}

std::string_view string_member(const Json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return {};
  return it->get_ref<const std::string&>();
}

std::string_view family_name(std::string_view type) {
  return media_type::is_index(type) ? "an image index" : "an image manifest";
}

}  // namespace

std::string detect_type(const Json& document, std::string_view content_type) {
  content_type = bare_content_type(content_type);
  if (is_known_document_type(content_type)) return std::string(content_type);
  if (!document.is_object()) return "";
  const std::string_view declared = string_member(document, "mediaType");
  if (is_known_document_type(declared)) return std::string(declared);

  auto version = document.find("schemaVersion");
  if (version == document.end() || !version->is_number_integer()) return "";
  if (*version == 1) {
    auto signatures = document.find("signatures");
    const bool signed_manifest = signatures != document.end() && !signatures->is_null();
    return std::string(signed_manifest ? media_type::kDockerSchema1Signed
                                       : media_type::kDockerSchema1);
  }
  if (*version != 2) return "";
  // No mediaType: image-spec before 1.0.2 did not require one.
  if (auto config = document.find("config"); config != document.end() && config->is_object()) {
    const std::string_view config_type = string_member(*config, "mediaType");
    if (config_type == media_type::kOciConfig) return std::string(media_type::kOciManifest);
    if (config_type == media_type::kDockerConfig) return std::string(media_type::kDockerManifest);
  }
  if (auto manifests = document.find("manifests");
      manifests != document.end() && manifests->is_array() && !manifests->empty()) {
    return std::string(media_type::kOciIndex);
  }
  return std::string(media_type::kOciManifest);  // most likely an artifact
}

DocumentType resolve_document_type(const Json& document, std::string_view content_type,
                                   DocumentFamily wanted) {
  content_type = bare_content_type(content_type);
  const std::optional<std::string> declared = read_optional_string(document, "mediaType", "");
  const std::optional<int64_t> version = read_schema_version(document);
  const std::string type = detect_type(document, content_type);

  if (media_type::is_schema1(type) || version == 1 ||
      (declared && media_type::is_schema1(*declared))) {
    fail(ErrorKind::kUnsupported, "Docker schema 1 manifests are not supported");
  }
  if (declared && !declared->empty() && is_known_document_type(content_type) &&
      *declared != content_type) {
    fail_at("mediaType",
            fmt::format("\"{}\" does not match the Content-Type \"{}\"", *declared, content_type));
  }
  if (!version) fail_at("schemaVersion", "missing");
  if (*version != 2)
    fail_at("schemaVersion", fmt::format("{} is not supported, expected 2", *version));
  if (declared && !declared->empty() && *declared != type) {
    fail_at("mediaType", fmt::format("\"{}\" is not a manifest or index type", *declared));
  }

  const bool want_index = wanted == DocumentFamily::kIndex;
  if (want_index != media_type::is_index(type)) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("expected {}, got {} ({})",
                     want_index ? "an image index" : "an image manifest", family_name(type), type));
  }
  // A document that could be read as both a manifest and an index could mean either: refuse it
  // rather than pick one (containers/image does the same).
  const auto refuse_member = [&](const char* key) {
    if (find_member(document, key) != nullptr) {
      fail_at(key, fmt::format("{} must not have a \"{}\" member", family_name(type), key));
    }
  };
  if (want_index) {
    refuse_member("config");
    refuse_member("layers");
  } else {
    refuse_member("manifests");
  }
  // Go leaves an empty mediaType out when it writes, so "" counts as absent.
  const bool present = declared && !declared->empty();
  return {type, present ? MediaTypeField::kPresent : MediaTypeField::kAbsent};
}

}  // namespace oci_internal

namespace {

using oci_internal::DescriptorDialect;
using oci_internal::Json;

void write_oci_manifest(GoJsonWriter& out, const Descriptor& config,
                        const std::vector<Descriptor>& layers,
                        const std::map<std::string, std::string>& annotations,
                        const std::optional<Descriptor>& subject, std::string_view artifact_type,
                        MediaTypeField media_type_field) {
  out.begin_object();
  out.key("schemaVersion").integer(2);
  if (media_type_field == MediaTypeField::kPresent) {
    out.key("mediaType").string(media_type::kOciManifest);
  }
  if (!artifact_type.empty()) out.key("artifactType").string(artifact_type);
  oci_internal::write_oci_descriptor(out.key("config"), config);
  out.key("layers").begin_array();
  for (const Descriptor& layer : layers) oci_internal::write_oci_descriptor(out, layer);
  out.end_array();
  if (subject) oci_internal::write_oci_descriptor(out.key("subject"), *subject);
  if (!annotations.empty()) oci_internal::write_string_map(out.key("annotations"), annotations);
  out.end_object();
}

bool is_image_config_type(std::string_view type) {
  return type == media_type::kOciConfig || type == media_type::kDockerConfig;
}

}  // namespace

std::string detect_manifest_type(std::string_view raw, std::string_view content_type) {
  Json document = Json::parse(raw, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) document = Json();
  return oci_internal::detect_type(document, content_type);
}

Manifest parse_manifest(std::string raw, std::string_view content_type) {
  using namespace oci_internal;
  return with_invalid_input_context("invalid image manifest", [&] {
    const Json document = parse_json_object(raw);
    DocumentType type = resolve_document_type(document, content_type, DocumentFamily::kManifest);
    const bool oci = type.media_type == media_type::kOciManifest;
    const DescriptorDialect dialect = oci ? DescriptorDialect::kOci : DescriptorDialect::kDocker;

    const Json* config_value = find_member(document, "config");
    if (config_value == nullptr) fail_at("config", "missing");
    Descriptor config = parse_descriptor_value(*config_value, "config", dialect);
    if (config.size == 0 && is_image_config_type(config.media_type)) {
      fail_at("config", "an image config cannot be empty (size 0)");
    }
    std::vector<Descriptor> layers;
    if (const Json* layer_values = find_array(document, "layers", "")) {
      for (size_t i = 0; i < layer_values->size(); ++i) {
        layers.push_back(
            parse_descriptor_value((*layer_values)[i], element_path("layers", i), dialect));
      }
    }
    Digest digest = Digest::sha256_of(raw);
    Manifest manifest{
        .raw = std::move(raw),
        .digest = std::move(digest),
        .media_type = std::move(type.media_type),
        .media_type_field = type.media_type_field,
        .config = std::move(config),
        .layers = std::move(layers),
    };
    if (oci) {
      if (const Json* subject = find_member(document, "subject")) {
        manifest.subject = parse_descriptor_value(*subject, "subject", dialect);
      }
      manifest.artifact_type = read_string(document, "artifactType", "");
      manifest.annotations = read_string_map(document, "annotations", "");
    }
    return manifest;
  });
}

std::string serialize_oci_manifest(const Descriptor& config, const std::vector<Descriptor>& layers,
                                   const std::map<std::string, std::string>& annotations,
                                   const std::optional<Descriptor>& subject,
                                   std::string_view artifact_type,
                                   MediaTypeField media_type_field) {
  GoJsonWriter out;
  write_oci_manifest(out, config, layers, annotations, subject, artifact_type, media_type_field);
  return out.take();
}

std::string serialize_docker_manifest(const Descriptor& config,
                                      const std::vector<Descriptor>& layers) {
  GoJsonWriter out;
  out.begin_object();
  out.key("schemaVersion").integer(2);
  out.key("mediaType").string(media_type::kDockerManifest);
  oci_internal::write_docker_descriptor(out.key("config"), config, /*list_entry=*/false);
  out.key("layers").begin_array();
  for (const Descriptor& layer : layers) {
    oci_internal::write_docker_descriptor(out, layer, /*list_entry=*/false);
  }
  out.end_array();
  out.end_object();
  return out.take();
}

std::string serialize_manifest(const Manifest& manifest) {
  if (manifest.media_type == media_type::kDockerManifest) {
    return serialize_docker_manifest(manifest.config, manifest.layers);
  }
  return serialize_oci_manifest(manifest.config, manifest.layers, manifest.annotations,
                                manifest.subject, manifest.artifact_type,
                                manifest.media_type_field);
}

}  // namespace schicht
