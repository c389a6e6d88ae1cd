#include "oci/index.h"

#include "core/error.h"
#include "core/media_type.h"
#include "oci/go_json.h"
#include "oci/json_internal.h"

namespace schicht {

Index parse_index(std::string raw, std::string_view content_type) {
  using namespace oci_internal;
  return with_invalid_input_context("invalid image index", [&] {
    const Json document = parse_json_object(raw);
    DocumentType type = resolve_document_type(document, content_type, DocumentFamily::kIndex);
    const bool oci = type.media_type == media_type::kOciIndex;
    const DescriptorDialect dialect = oci ? DescriptorDialect::kOci : DescriptorDialect::kDocker;

    std::vector<Descriptor> manifests;
    if (const Json* values = find_array(document, "manifests", "")) {
      for (size_t i = 0; i < values->size(); ++i) {
        manifests.push_back(
            parse_descriptor_value((*values)[i], element_path("manifests", i), dialect));
      }
    }
    Digest digest = Digest::sha256_of(raw);
    Index index{
        .raw = std::move(raw),
        .digest = std::move(digest),
        .media_type = std::move(type.media_type),
        .media_type_field = type.media_type_field,
        .manifests = std::move(manifests),
    };
    if (oci) {
      if (const Json* subject = find_member(document, "subject")) {
        index.subject = parse_descriptor_value(*subject, "subject", dialect);
      }
      index.artifact_type = read_string(document, "artifactType", "");
      index.annotations = read_string_map(document, "annotations", "");
    }
    return index;
  });
}

std::string serialize_oci_index(const std::vector<Descriptor>& manifests,
                                const std::map<std::string, std::string>& annotations,
                                MediaTypeField media_type_field,
                                const std::optional<Descriptor>& subject,
                                std::string_view artifact_type) {
  GoJsonWriter out;
  out.begin_object();
  out.key("schemaVersion").integer(2);
  if (media_type_field == MediaTypeField::kPresent) {
    out.key("mediaType").string(media_type::kOciIndex);
  }
  if (!artifact_type.empty()) out.key("artifactType").string(artifact_type);
  out.key("manifests").begin_array();
  for (const Descriptor& manifest : manifests) oci_internal::write_oci_descriptor(out, manifest);
  out.end_array();
  if (subject) oci_internal::write_oci_descriptor(out.key("subject"), *subject);
  if (!annotations.empty()) oci_internal::write_string_map(out.key("annotations"), annotations);
  out.end_object();
  return out.take();
}

std::string serialize_docker_list(const std::vector<Descriptor>& manifests) {
  GoJsonWriter out;
  out.begin_object();
  out.key("schemaVersion").integer(2);
  out.key("mediaType").string(media_type::kDockerManifestList);
  out.key("manifests").begin_array();
  for (const Descriptor& manifest : manifests) {
    oci_internal::write_docker_descriptor(out, manifest, /*list_entry=*/true);
  }
  out.end_array();
  out.end_object();
  return out.take();
}

std::string serialize_index(const Index& index) {
  if (index.media_type == media_type::kDockerManifestList) {
    return serialize_docker_list(index.manifests);
  }
  return serialize_oci_index(index.manifests, index.annotations, index.media_type_field,
                             index.subject, index.artifact_type);
}

}  // namespace schicht
