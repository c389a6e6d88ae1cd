#include "copy/sigstore_signatures.h"

#include <ctime>
#include <optional>

#include <fmt/format.h>

#include "copy/signatures.h"
#include "copy/small_blob.h"
#include "core/error.h"
#include "core/media_type.h"
#include "oci/manifest.h"
#include "trust/signature_payload.h"
#include "trust/sigstore_attachment.h"

namespace schicht::copy {
namespace {

// The attachment manifest for `digest`, or nullopt when the registry has none.
std::optional<Manifest> attachment(registry::RegistryClient& client, std::string_view repository,
                                   const Digest& digest) {
  std::string tag = trust::sigstore_attachment_tag(digest);
  std::optional<registry::Manifest> got;
  try {
    got = client.get_manifest(repository, tag);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::kNotFound) return std::nullopt;
    throw e.with_context("reading sigstore attachment " + tag);
  }
  if (got->media_type != media_type::kOciManifest) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("sigstore attachment {} has media type {:?}, expected {}", tag,
                     got->media_type, media_type::kOciManifest));
  }
  return with_context("sigstore attachment " + tag,
                      [&] { return parse_manifest(std::move(got->bytes), got->media_type); });
}

}  // namespace

std::vector<trust::Signature> SigstoreAttachmentSource::signatures() {
  std::optional<Manifest> found = attachment(client_, repository_, digest_);
  if (!found) return {};
  std::vector<trust::Signature> out;
  for (const Descriptor& layer : trust::sigstore_signature_layers(*found)) {
    std::string payload;
    try {
      payload = fetch_small_blob(client_, repository_, layer, trust::kSigstorePayloadLimit);
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::kIntegrity) throw;
      fail(ErrorKind::kPolicy,
           fmt::format("invalid signature: the sigstore payload {} in the registry was tampered "
                       "with: {}",
                       layer.digest.str(), e.what()));
    }
    auto annotation = layer.annotations.find(std::string(trust::kSigstoreSignatureAnnotation));
    out.push_back(trust::Signature{
        .format = "sigstore",
        .bytes = std::move(payload),
        .sigstore_signature = annotation == layer.annotations.end() ? "" : annotation->second,
        .annotations = layer.annotations,
        .origin = fmt::format("sigstore attachment {} layer {}",
                              trust::sigstore_attachment_tag(digest_), layer.digest.str())});
  }
  return out;
}

void push_sigstore_signature(registry::RegistryClient& client, std::string_view repository,
                             const Digest& manifest_digest, const std::string& docker_reference,
                             const trust::SigstoreKey& key) {
  std::string payload = trust::build_payload(
      trust::kSigstorePayloadType,
      trust::SignedClaims{.docker_reference = docker_reference,
                          .manifest_digest = manifest_digest,
                          .creator = "schicht " SCHICHT_VERSION,
                          .timestamp = static_cast<int64_t>(std::time(nullptr))});
  attach_sigstore_signature(client, repository, manifest_digest, payload,
                            trust::sign_payload(key, payload));
}

void attach_sigstore_signature(registry::RegistryClient& client, std::string_view repository,
                               const Digest& manifest_digest, const std::string& payload,
                               const std::string& signature,
                               const std::map<std::string, std::string>& annotations) {
  std::optional<Manifest> existing = attachment(client, repository, manifest_digest);
  std::string existing_config;
  if (existing) {
    existing_config = fetch_small_blob(client, repository, existing->config, size_t{4} << 20);
  }
  trust::SigstoreAttachment update =
      trust::add_sigstore_signature(existing, existing_config, payload, signature, annotations);
  if (!update.changed) return;
  auto upload = [&](const Descriptor& d, std::string_view bytes) {
    if (client.head_blob(repository, d.digest)) return;
    StringReader reader(bytes);
    client.push_blob(repository, d.digest, bytes.size(), reader);
  };
  with_context("uploading sigstore signature", [&] {
    upload(update.payload_descriptor, payload);
    upload(update.config_descriptor, update.config);
    client.put_manifest(repository, trust::sigstore_attachment_tag(manifest_digest),
                        update.manifest, media_type::kOciManifest);
  });
}

void require_sigstore_attachments(std::shared_ptr<const trust::RegistriesD>& config,
                                  const Reference& reference) {
  if (!config) config = load_registries_d("");
  if (!config->use_sigstore_attachments(reference)) {
    fail(ErrorKind::kPolicy,
         fmt::format("writing sigstore attachments to {} is disabled by configuration: set "
                     "use-sigstore-attachments: true for it in registries.d",
                     reference.domain + "/" + reference.path));
  }
}

}  // namespace schicht::copy
