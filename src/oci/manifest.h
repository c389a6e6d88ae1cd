// Image manifests (OCI and Docker schema 2): parsing with validation, manifest type detection,
// and serializers whose bytes equal what containers/image writes.
//
// Validation (all kInvalidInput unless said otherwise):
// - malformed JSON, or not an object; schemaVersion missing or not 2;
// - schemaVersion 1 or a schema 1 media type: kUnsupported;
// - a mediaType member that disagrees with the Content-Type, or that is not a manifest type;
// - an index where a manifest was asked for, or a manifest with a "manifests" member (ambiguous,
//   refused as containers/image does);
// - config missing; a descriptor without mediaType, digest or size, with an invalid digest, a
//   negative size, size 0 with a digest other than that of empty content (empty artifact
//   layers are fine), or base64 `data` that does not hash to its digest; an image config
//   (OCI/Docker config type) of size 0.
// Accepted: unknown layer and config media types, unknown members, a missing or null `layers`
// (no layers), a Docker manifest without its mediaType member when the Content-Type says Docker,
// and an empty-config artifact without artifactType (the spec says MUST; c/image does not check).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/digest.h"
#include "oci/descriptor.h"

namespace schicht {

struct Manifest {
  std::string raw;
  Digest digest;           // sha256 of raw
  std::string media_type;  // kOciManifest or kDockerManifest, whatever the JSON said or omitted
  MediaTypeField media_type_field = MediaTypeField::kPresent;
  Descriptor config;
  std::vector<Descriptor> layers;
  // OCI only; Docker schema 2 has none of these.
  std::optional<Descriptor> subject;
  std::string artifact_type;
  std::map<std::string, std::string> annotations;
};

// The media type of a manifest or index, as containers/image guesses it: `content_type` when it
// is a manifest, index or schema 1 type (parameters such as "; charset=" are ignored); else the
// mediaType member when it is one; else by shape: schemaVersion 1 is schema 1 (signed when it
// has signatures), schemaVersion 2 with an OCI config is an OCI manifest, with a Docker config
// a Docker manifest, with a non-empty `manifests` an OCI index, and otherwise an OCI manifest
// (an artifact). "" when the text is not JSON or says nothing usable.
std::string detect_manifest_type(std::string_view raw, std::string_view content_type = "");

Manifest parse_manifest(std::string raw, std::string_view content_type = "");

// OCI image manifest in image-spec field order: schemaVersion, mediaType, artifactType, config,
// layers, subject, annotations.
std::string serialize_oci_manifest(const Descriptor& config, const std::vector<Descriptor>& layers,
                                   const std::map<std::string, std::string>& annotations = {},
                                   const std::optional<Descriptor>& subject = std::nullopt,
                                   std::string_view artifact_type = "",
                                   MediaTypeField media_type_field = MediaTypeField::kPresent);

// Docker schema 2: schemaVersion, mediaType, config, layers; descriptors carry only mediaType,
// size, digest and urls.
std::string serialize_docker_manifest(const Descriptor& config,
                                      const std::vector<Descriptor>& layers);

// Re-serializes a parsed (possibly edited) manifest in its own format; for an unedited manifest
// that containers/image wrote, the result equals `raw`.
std::string serialize_manifest(const Manifest& manifest);

}  // namespace schicht
