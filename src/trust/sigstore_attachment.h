// Sigstore signatures attached to an image in its registry, as cosign and containers/image store
// them: an OCI image manifest tagged `sha256-<hex>.sig` (the image's manifest digest) in the same
// repository, one layer per signature. Each layer's blob is the payload (signature_payload.h) with
// media type application/vnd.dev.cosign.simplesigning.v1+json and the base64 signature in the
// annotation dev.cosignproject.cosign/signature. The config is an OCI image config whose
// rootfs.diff_ids list the payload digests (as containers/image writes it).
//
// This file only builds and reads those documents; moving them is the registry client's job.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/digest.h"
#include "oci/manifest.h"

namespace schicht::trust {

inline constexpr std::string_view kSigstoreLayerType =
    "application/vnd.dev.cosign.simplesigning.v1+json";
inline constexpr std::string_view kSigstoreSignatureAnnotation =
    "dev.cosignproject.cosign/signature";
// Payloads are small JSON documents; containers/image reads at most this much of one.
inline constexpr size_t kSigstorePayloadLimit = size_t{4} << 20;

// "sha256-<hex>.sig".
std::string sigstore_attachment_tag(const Digest& manifest_digest);

// The signature layers of an attachment manifest; layers of other media types (attestations)
// are skipped.
std::vector<Descriptor> sigstore_signature_layers(const Manifest& attachment);

struct SigstoreAttachment {
  std::string config;  // OCI config JSON
  Descriptor config_descriptor;
  Descriptor payload_descriptor;  // the new layer
  std::string manifest;           // OCI image manifest JSON
  bool changed = true;            // false: an identical signature was there already
};

// `existing` (with its config bytes) plus one signature layer for `payload`; a new attachment
// when `existing` is null. kInvalidInput when the existing config is not a JSON object.
// `annotations` are the layer's other annotations, kept byte for byte: a keyless signature's
// dev.sigstore.cosign/certificate, /chain and /bundle are its proof.
SigstoreAttachment add_sigstore_signature(
    const std::optional<Manifest>& existing, std::string_view existing_config,
    std::string_view payload, std::string_view base64_signature,
    const std::map<std::string, std::string>& annotations = {});

}  // namespace schicht::trust
