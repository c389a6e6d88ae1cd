// The SBOM documents of an inventory: SPDX 2.3 JSON and CycloneDX 1.5 JSON. Packages come in
// the inventory's order and every identifier is derived from it, so two documents of one image
// differ only in what must be unique to each (SPDX documentNamespace, CycloneDX serialNumber)
// and the creation time.
#pragma once

#include <string>

#include "sbom/inventory.h"

namespace schicht::sbom {

// The image the SBOM describes.
struct ImageSubject {
  std::string name;             // "docker.io/library/debian:12", or the image ID when unnamed
  std::string manifest_digest;  // "sha256:<hex>"
  std::string config_digest;    // the image ID
  std::string repository;       // "docker.io/library/debian"; empty when unnamed
};

// What makes one document unique, from the caller (tests fix them).
struct DocumentStamp {
  std::string created;  // RFC 3339, UTC, seconds: "2026-12-07T00:00:00Z"
  std::string uuid;     // a random version 4 UUID
  std::string tool;     // "schicht-0.1.0"
};

enum class Format { kSpdxJson, kCycloneDxJson };

// The media type an attached SBOM carries as its artifactType.
std::string_view media_type(Format format);

std::string spdx_json(const Inventory& inventory, const ImageSubject& image,
                      const DocumentStamp& stamp);
std::string cyclonedx_json(const Inventory& inventory, const ImageSubject& image,
                           const DocumentStamp& stamp);

// A random version 4 UUID (getrandom).
std::string random_uuid();

// Whether `license` is safe as an SPDX license expression (letters, digits, ".-+", joined by
// AND, OR, WITH and parentheses); what is not becomes NOASSERTION.
bool plausible_license_expression(std::string_view license);

}  // namespace schicht::sbom
