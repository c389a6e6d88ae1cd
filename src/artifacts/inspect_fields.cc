#include "artifacts/inspect_fields.h"

#include "artifacts/local.h"
#include "trust/sigstore_attachment.h"
#include "trust/sigstore_bundle.h"

namespace schicht::artifacts {
namespace {

// cosign's signature artifacts (`cosign sign` with the referrers API) besides bundles.
constexpr std::string_view kCosignSignatureType = "application/vnd.dev.cosign.artifact.sig.v1+json";

bool is_signature(const Manifest& manifest, std::string_view artifact_type) {
  if (artifact_type == trust::kSigstoreBundleType || artifact_type == kCosignSignatureType) {
    return true;
  }
  for (const Descriptor& layer : manifest.layers) {
    if (layer.media_type == trust::kSigstoreLayerType) return true;
  }
  return false;
}

}  // namespace

bool names_supply_chain_fields(std::string_view format) {
  return format.find(".Referrers") != std::string_view::npos ||
         format.find(".Signatures") != std::string_view::npos;
}

void add_supply_chain_fields(store::Store& store, const Digest& subject,
                             nlohmann::ordered_json& view) {
  nlohmann::ordered_json referrers = nlohmann::ordered_json::array();
  nlohmann::ordered_json signatures = nlohmann::ordered_json::array();
  for (const Artifact& a : local_referrers(store, subject)) {
    Descriptor d = referrer_descriptor(a.manifest);
    nlohmann::ordered_json entry = {
        {"Digest", d.digest.str()}, {"ArtifactType", d.artifact_type}, {"Name", a.info.name}};
    if (is_signature(a.manifest, d.artifact_type)) signatures.push_back(entry);
    referrers.push_back(std::move(entry));
  }
  view["Referrers"] = std::move(referrers);
  view["Signatures"] = std::move(signatures);
}

void add_supply_chain_types(gotemplate::GoTypes& types) {
  for (std::string_view field : {"Referrers", "Signatures"}) {
    std::string name(field);
    types[name] = "[]inspect.Referrer";
    types[name + "[]"] = "inspect.Referrer";
    types[name + "[].Digest"] = "string";
    types[name + "[].ArtifactType"] = "string";
    types[name + "[].Name"] = "string";
  }
}

}  // namespace schicht::artifacts
