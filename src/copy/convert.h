// Manifest conversion between OCI and Docker schema 2, for push --format and the copy engine
// (image copy --format, --dest-compress-format, and a destination that stores only OCI), as
// skopeo converts. The new manifest has a new digest (--preserve-digests refuses it); blobs
// keep theirs unless they are recompressed (recompress.h).
//
// Layer media types follow the bytes, not the source's type: a docker-archive's generated
// manifest calls its uncompressed layers gzip, so a layer's first bytes are read from the
// source (its compression sniffed) to type it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "archive/compression.h"
#include "copy/image_source.h"
#include "oci/manifest.h"

namespace schicht::copy {

enum class ManifestFormat { kOci, kDockerV2S2 };

// "oci", "v2s2" as podman names them; kInvalidInput with podman's message otherwise ("v2s1"
// is refused as unsupported).
ManifestFormat parse_manifest_format(std::string_view name);

ManifestFormat format_of(std::string_view manifest_media_type);

// The layer media type of a compression in a format; kUnsupported for zstd in Docker schema 2
// (it has no type for it) and for what layers cannot be.
std::string layer_type(Compression compression, ManifestFormat format);

// The compression a layer media type names; kUnsupported for types a conversion cannot map
// (foreign and non-distributable layers).
Compression named_compression(const std::string& type);

// The compression of `blob`'s bytes, from its first bytes read from `source`.
Compression sniff_compression(ImageSource& source, const Descriptor& blob);

// `manifest` (OCI or Docker schema 2) as `format`, with `layers` (same count, their final
// digests, sizes and compressions) typed for it. Converting OCI to Docker refuses what Docker
// schema 2 cannot say: an artifact (artifactType, a non-image config, a subject) and zstd
// layers; OCI annotations are dropped, as containers/image drops them.
RawManifest convert_manifest(const Manifest& manifest, const std::vector<Descriptor>& layers,
                             const std::vector<Compression>& compressions, ManifestFormat format,
                             const std::string& source_name);

}  // namespace schicht::copy
