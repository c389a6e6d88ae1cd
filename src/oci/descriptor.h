// OCI content descriptors: the (media type, digest, size) triple by which manifests and indexes
// point at blobs, with its optional parts, and their JSON forms.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/digest.h"
#include "core/platform.h"

namespace schicht {

// Built with designated initializers: a descriptor without a digest is meaningless, so there is
// no default constructor.
struct Descriptor {
  std::string media_type;
  Digest digest;
  int64_t size = 0;
  std::vector<std::string> urls;
  std::map<std::string, std::string> annotations;
  std::optional<Platform> platform;  // index entries only
  std::string artifact_type;
  // The embedded content itself (the JSON holds it in base64), already checked against digest.
  std::optional<std::string> data;

  bool operator==(const Descriptor&) const = default;
};

// Whether a written manifest or index carries a top-level "mediaType". Podman 4.3 writes
// imported images' manifests and oci-layout index.json without one; skopeo's conversions
// write it. Re-serializing must keep what was there, or the digest changes.
enum class MediaTypeField { kPresent, kAbsent };

// The OCI empty descriptor: "{}" (application/vnd.oci.empty.v1+json, size 2, data "e30=").
Descriptor empty_descriptor();

// Parses one OCI descriptor from JSON text; validates as manifests do (see manifest.h).
Descriptor parse_descriptor(std::string_view json);

// Compact OCI JSON of a descriptor: mediaType, digest, size, urls, annotations, data, platform,
// artifactType (image-spec struct order; empty optional parts left out).
std::string serialize_descriptor(const Descriptor& descriptor);

}  // namespace schicht
