// Image indexes (OCI) and manifest lists (Docker): parsing with validation and serializers
// whose bytes equal what containers/image writes.
//
// Validation mirrors manifest.h: malformed JSON, schemaVersion other than 2 (1: kUnsupported),
// a mediaType member that disagrees with the Content-Type or is not an index type, a manifest
// where an index was asked for, an index with "config" or "layers" members (ambiguous), and
// invalid descriptors are kInvalidInput. Entries of unknown media types are kept, not refused;
// a missing or null `manifests` is an empty index. Docker list entries keep their platform;
// Docker's platform "features" are dropped (schicht's Platform has no such field).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/digest.h"
#include "oci/descriptor.h"

namespace schicht {

struct Index {
  std::string raw;
  Digest digest;           // sha256 of raw
  std::string media_type;  // kOciIndex or kDockerManifestList
  MediaTypeField media_type_field = MediaTypeField::kPresent;
  std::vector<Descriptor> manifests;
  // OCI only.
  std::optional<Descriptor> subject;
  std::string artifact_type;
  std::map<std::string, std::string> annotations;
};

Index parse_index(std::string raw, std::string_view content_type = "");

// OCI index in image-spec field order: schemaVersion, mediaType, artifactType, manifests,
// subject, annotations. An oci-layout index.json as podman 4.3 writes it has no mediaType.
std::string serialize_oci_index(const std::vector<Descriptor>& manifests,
                                const std::map<std::string, std::string>& annotations = {},
                                MediaTypeField media_type_field = MediaTypeField::kPresent,
                                const std::optional<Descriptor>& subject = std::nullopt,
                                std::string_view artifact_type = "");

// Docker manifest list: schemaVersion, mediaType, manifests (mediaType, size, digest, urls,
// platform; the platform is always written, empty when the descriptor has none).
std::string serialize_docker_list(const std::vector<Descriptor>& manifests);

// Re-serializes a parsed (possibly edited) index in its own format.
std::string serialize_index(const Index& index);

}  // namespace schicht
