#include "sbom/subject.h"

#include <nlohmann/json.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.h"

namespace schicht::sbom {

using nlohmann::ordered_json;

Descriptor find_subject(registry::RegistryClient& client, std::string_view repository,
                        const std::vector<std::string>& candidates, const Digest& config_digest) {
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
      return Descriptor{.media_type = manifest->media_type,
                        .digest = manifest->digest,
                        .size = static_cast<int64_t>(manifest->bytes.size())};
    }
  }
  fail(ErrorKind::kNotFound,
       fmt::format("{}: no manifest of image {} among {}: push the image there first", repository,
                   config_digest.hex().substr(0, 12), fmt::join(candidates, ", ")));
}

}  // namespace schicht::sbom
