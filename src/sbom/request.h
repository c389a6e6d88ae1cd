// What `image sbom` settles before and around the document: the format asked for, the creation
// time, the subject's repository, and where in a registry --attach looks for the image.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/digest.h"
#include "core/reference.h"
#include "sbom/document.h"

namespace schicht::sbom {

// --format: spdx-json (spdx) or cyclonedx-json (cyclonedx); kInvalidInput otherwise.
Format parse_format(std::string_view format);

// Now, or SOURCE_DATE_EPOCH when set (reproducible documents), as RFC 3339 UTC seconds;
// kInvalidInput for a SOURCE_DATE_EPOCH that is not a number of seconds.
std::string creation_time();

// The repository of an image name: "docker.io/library/debian:12" -> "docker.io/library/debian".
std::string repository_of(std::string_view name);

// The document of `format`.
std::string render_document(Format format, const Inventory& inventory, const ImageSubject& subject,
                            const DocumentStamp& stamp);

// The title annotation of an attached document: "sbom.spdx.json" or "sbom.cdx.json".
std::string_view document_title(Format format);

// --attach DEST: "docker://host/repo[:tag|@digest]" (or without docker://); kInvalidInput
// unless it names a repository of a registry.
Reference attach_destination(std::string_view text);

// Where to look for the image in the destination: what --attach named, else the image's
// manifest digests (`digests`, then `manifest_digest`) and the tags of its names, each once.
std::vector<std::string> subject_candidates(const Reference& destination,
                                            const std::vector<Digest>& digests,
                                            const Digest& manifest_digest,
                                            const std::vector<std::string>& names);

}  // namespace schicht::sbom
