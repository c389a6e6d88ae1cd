#include "sbom/attach.h"

#include <nlohmann/json.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.h"

namespace schicht::sbom {

using nlohmann::ordered_json;

namespace {

constexpr std::string_view kEmptyConfigType = "application/vnd.oci.empty.v1+json";
constexpr std::string_view kEmptyConfig = "{}";
constexpr std::string_view kManifestType = "application/vnd.oci.image.manifest.v1+json";
constexpr std::string_view kIndexType = "application/vnd.oci.image.index.v1+json";

void push_if_missing(registry::RegistryClient& client, std::string_view repository,
                     std::string_view bytes) {
  Digest digest = Digest::sha256_of(bytes);
  if (client.head_blob(repository, digest)) return;
  StringReader reader(bytes);
  client.push_blob(repository, digest, bytes.size(), reader);
}

ordered_json descriptor(std::string_view media_type, const Digest& digest, uint64_t size) {
  return {{"mediaType", media_type}, {"digest", digest.str()}, {"size", size}};
}

// The fallback index as the registry has it, or a new one; kConflict when the tag holds
// anything else.
ordered_json fallback_index(registry::RegistryClient& client, std::string_view repository,
                            const std::string& tag) {
  std::optional<registry::Manifest> current;
  try {
    current = client.get_manifest(repository, tag);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::kNotFound) throw;
  }
  if (!current) {
    return {{"schemaVersion", 2}, {"mediaType", kIndexType}, {"manifests", ordered_json::array()}};
  }
  auto index = ordered_json::parse(current->bytes, nullptr, false);
  if (current->media_type != kIndexType || !index.is_object() || !index.contains("manifests") ||
      !index["manifests"].is_array()) {
    fail(ErrorKind::kConflict,
         fmt::format("{}:{} holds a {} where the referrers fallback index belongs: not changed",
                     repository, tag, current->media_type));
  }
  return index;
}

}  // namespace

ReferrerSubject find_subject(registry::RegistryClient& client, std::string_view repository,
                             const std::vector<std::string>& candidates,
                             const Digest& config_digest) {
  for (const auto& candidate : candidates) {
    std::optional<registry::Manifest> manifest;
    try {
      manifest = client.get_manifest(repository, candidate);
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::kNotFound) throw;
    }
    if (!manifest) continue;
    auto json = ordered_json::parse(manifest->bytes, nullptr, false);
    if (!json.is_object()) continue;
    auto config = json.find("config");
    if (config == json.end() || !config->is_object()) continue;
    if (auto digest = config->find("digest");
        digest != config->end() && *digest == config_digest.str()) {
      return {manifest->media_type, manifest->digest, manifest->bytes.size()};
    }
  }
  fail(ErrorKind::kNotFound,
       fmt::format("{}: no manifest of image {} among {}: push the image there first", repository,
                   config_digest.hex().substr(0, 12), fmt::join(candidates, ", ")));
}

Attached attach_referrer(registry::RegistryClient& client, std::string_view repository,
                         const ReferrerSubject& subject, std::string_view artifact_type,
                         std::string_view document, std::string_view title,
                         std::string_view created) {
  std::string tag = fmt::format("sha256-{}", subject.digest.hex());
  // Read before anything is pushed: a tag that is not an index stops the attach early.
  ordered_json index = fallback_index(client, repository, tag);

  push_if_missing(client, repository, kEmptyConfig);
  push_if_missing(client, repository, document);
  ordered_json config = descriptor(kEmptyConfigType, Digest::sha256_of(kEmptyConfig), 2);
  config["data"] = "e30=";  // "{}": the empty descriptor carries its bytes
  ordered_json layer = descriptor(artifact_type, Digest::sha256_of(document), document.size());
  layer["annotations"] = {{"org.opencontainers.image.title", title}};
  ordered_json manifest = {
      {"schemaVersion", 2},
      {"mediaType", kManifestType},
      {"artifactType", artifact_type},
      {"config", std::move(config)},
      {"layers", ordered_json::array({std::move(layer)})},
      {"subject", descriptor(subject.media_type, subject.digest, subject.size)},
      {"annotations", {{"org.opencontainers.image.created", created}}},
  };
  std::string bytes = manifest.dump();
  Digest digest = Digest::sha256_of(bytes);
  client.put_manifest(repository, digest.str(), bytes, kManifestType);

  ordered_json entry = descriptor(kManifestType, digest, bytes.size());
  entry["artifactType"] = artifact_type;
  entry["annotations"] = {{"org.opencontainers.image.created", created}};
  auto& manifests = index["manifests"];
  bool listed = false;
  for (const auto& m : manifests) {
    if (auto it = m.find("digest"); it != m.end() && *it == digest.str()) listed = true;
  }
  if (!listed) {
    manifests.push_back(std::move(entry));
    client.put_manifest(repository, tag, index.dump(), kIndexType);
  }
  return {digest, tag};
}

}  // namespace schicht::sbom
