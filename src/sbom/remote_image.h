// `image sbom docker://REF`: an image in a registry read for its SBOM without storing it. The
// manifest (for an index, the instance for this machine) and config are fetched; each layer is
// streamed from the registry through a bounded pipe, decompressed as it arrives and replayed by
// rootfs_files.h, its digest checked once its last byte has been read (RootfsFiles reads every
// layer to its end), so a tampered layer fails the SBOM instead of describing it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/digest.h"
#include "core/reference.h"
#include "registry/registry_client.h"
#include "sbom/rootfs_files.h"

namespace schicht::sbom {

struct RemoteImage {
  Digest manifest_digest;  // of the image manifest read (the instance, for an index)
  Digest config_digest;
  // Each opens its layer's uncompressed tar, streamed from `client`; one at a time.
  std::vector<LayerInput> layers;
};

// `client` (for `reference`'s registry) must outlive the layers' readers. kNotFound when the
// reference names nothing; kUnsupported for a manifest that is not an image (an artifact) or an
// index without an instance for this machine.
RemoteImage remote_image(registry::RegistryClient& client, const Reference& reference);

}  // namespace schicht::sbom
