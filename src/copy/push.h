// push: an image from the store to a registry, as podman push does.
//
// Call order: every layer in parallel (a blob the repository has is skipped after a HEAD; one
// in another repository of the same registry that the image is named after is mounted; the
// rest are uploaded streaming from the blob store), then the config the same way, then the
// manifest, then a sigstore signature when asked for. The manifest goes byte-exact with its
// stored media type unless a conversion was asked for (--format, or recompressed layers), so an
// unchanged image keeps its digest. Nothing in the store changes but the image's last-used time.
// Not thread-safe: one push per Store at a time (it runs its own threads inside).
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
#include "trust/registries_d.h"
#include "trust/sigstore_key.h"

namespace schicht::copy {

struct PushOptions : TransferOptions {
  // --format: convert the manifest when it is of the other type.
  std::optional<ManifestFormat> format;
  // --compression-format: layers in another compression are recompressed while uploading (the
  // store keeps its blobs); zstd turns a Docker manifest into an OCI one unless v2s2 was asked.
  // Unset: layers stored uncompressed go gzipped, the others as stored (podman's default).
  std::optional<Compression> compression;
  // --sign-by-sigstore-private-key (decrypted): the pushed manifest is signed and the signature
  // attached in the registry (sigstore_signatures.h).
  std::optional<trust::SigstoreKey> sigstore_key;
  // --sign-by: a GPG key; the simple-signing signature of the pushed manifest goes to the
  // lookaside staging storage of `registries_d` (null: registries_d_dir's lookup).
  std::string sign_by;
  std::shared_ptr<const trust::RegistriesD> registries_d;
};

// Pushes image `id` to `destination` (normalized; tag "latest" when it has neither tag nor
// digest). Returns the digest of the manifest as pushed.
Digest push_image(store::Store& store, const Digest& id, const Reference& destination,
                  const registry::RegistriesConf& conf, const PushOptions& options);

}  // namespace schicht::copy
