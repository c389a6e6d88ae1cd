// push: an image from the store to any destination podman's push accepts (docker://, oci:,
// oci-archive:, docker-archive:, dir:), through the copy engine (copy_image.h) with the store as
// its source (stored_image.h).
//
// As podman pushes: the manifest goes byte-exact with its stored media type unless a conversion
// was asked for (--format, recompressed layers), so an unchanged image keeps its digest; a layer
// stored uncompressed goes gzipped unless --compression-format says otherwise (not in a push by
// digest, which must keep the stored manifest, nor to dir: without --compress); a docker://
// destination mounts a blob from another repository of its registry that the image is named
// after; an upload that fails on the network starts again from its first byte (--retry).
// Signing (docker:// only), as podman signs: the simple signature (--sign-by) is made before the
// manifest goes up, so a key that cannot sign leaves nothing named in the registry, and stored in
// the lookaside staging storage after it; a sigstore signature is attached after it. Nothing in the
// store changes but the image's last-used time. Not thread-safe: one push per Store at a time.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "archive/compression.h"
#include "copy/convert.h"
#include "copy/options.h"
#include "core/digest.h"
#include "core/reference.h"
#include "registry/registries_conf.h"
#include "store/store.h"
#include "transport/transport_name.h"
#include "trust/registries_d.h"
#include "trust/sigstore_key.h"

namespace schicht::copy {

struct PushOptions : TransferOptions {
  // --format: convert the manifest when it is of the other type.
  std::optional<ManifestFormat> format;
  // --compression-format: layers in another compression are recompressed on the way (the
  // store keeps its blobs); zstd turns a Docker manifest into an OCI one unless v2s2 was asked.
  std::optional<Compression> compression;
  // --compress (dir: only): layers stored uncompressed go gzipped.
  bool compress = false;
  // --sign-by-sigstore-private-key (decrypted): the pushed manifest is signed and the signature
  // attached in the registry (sigstore_signatures.h).
  std::optional<trust::SigstoreKey> sigstore_key;
  // --sign-by: a GPG key; the simple-signing signature of the pushed manifest goes to the
  // lookaside staging storage of `registries_d` (null: registries_d_dir's lookup).
  std::string sign_by;
  std::shared_ptr<const trust::RegistriesD> registries_d;
  // The stored name the image was named by ("localhost/app:1"), when it was: oci:,
  // oci-archive: and docker-archive: destinations without a REF record it, as podman's push does.
  std::string image_name;
};

// Pushes image `id` to `destination`; a docker:// one gets tag "latest" when it has neither
// tag nor digest. Returns the digest of the manifest as written. kInvalidInput (nothing
// written) for signing to a destination other than docker://.
Digest push_image(store::Store& store, const Digest& id, const transport::TransportRef& destination,
                  const registry::RegistriesConf& conf, const PushOptions& options);

// The same to a registry reference (normalized).
Digest push_image(store::Store& store, const Digest& id, const Reference& destination,
                  const registry::RegistriesConf& conf, const PushOptions& options);

}  // namespace schicht::copy
