// Manifest conversion for a destination that cannot store the source's manifest type: a Docker
// schema 2 manifest becomes an OCI one (oci:, oci-archive: store only OCI), as skopeo converts
// it, but with every blob kept as it is (skopeo would also recompress uncompressed layers). So
// the blobs keep their digests; the manifest gets a new one (--preserve-digests refuses it).
//
// Layer media types follow the bytes, not the Docker type: a docker-archive's generated
// manifest calls its uncompressed layers gzip, so each layer's first bytes are read from the
// source (its compression sniffed) to type it tar, tar+gzip or tar+zstd.
#pragma once

#include "copy/image_source.h"
#include "oci/manifest.h"

namespace schicht::copy {

// The OCI manifest for `docker` (a parsed Docker schema 2 manifest) read from `source`.
RawManifest docker_to_oci(ImageSource& source, const Manifest& docker);

}  // namespace schicht::copy
