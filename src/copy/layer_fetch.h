// One layer from a registry into the blob store, each byte read once: the HTTP body streams
// through a bounded pipe into digest_layer, which writes it to an Ingest while hashing the raw
// blob, decompressing it and hashing the tar (the diffID).
//
// Internal to copy/. The caller protects the digest with its lease first (and fetches only
// blobs the store lacks) and records the committed blob as created by its pass.
#pragma once

#include <atomic>
#include <string_view>

#include "archive/layer.h"
#include "content/blob_store.h"
#include "copy/options.h"
#include "core/digest.h"
#include "oci/descriptor.h"
#include "registry/registry_client.h"

namespace schicht::copy {

// Downloads `layer` and commits it to `blobs` once its size and digest equal the descriptor's
// and its diffID equals `diff_id` (from the config). kIntegrity on a mismatch; when the bytes
// do not decompress, a digest mismatch is reported if there is one (it is the cause).
// `cancelled` stops the transfer early when another one failed. `progress` (may be null) hears
// of the bytes as they arrive.
LayerDigests fetch_layer(registry::RegistryClient& client, std::string_view repository,
                         const Descriptor& layer, const Digest& diff_id, const BlobStore& blobs,
                         const std::atomic<bool>& cancelled, TransferProgress* progress);

// Reads a small blob (a config) of at most `limit` bytes and checks it against `descriptor`.
std::string fetch_small_blob(registry::RegistryClient& client, std::string_view repository,
                             const Descriptor& descriptor, size_t limit);

}  // namespace schicht::copy
