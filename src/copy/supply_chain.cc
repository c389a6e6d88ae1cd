#include "copy/supply_chain.h"

#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "copy/pull.h"
#include "copy/signatures.h"
#include "copy/sigstore_bundles.h"
#include "copy/sigstore_signatures.h"
#include "core/error.h"
#include "core/media_type.h"
#include "oci/index.h"
#include "oci/manifest.h"
#include "trust/base64.h"
#include "trust/fulcio.h"
#include "trust/image_verifier.h"
#include "trust/rekor.h"
#include "trust/sigstore_attachment.h"
#include "trust/sigstore_bundle.h"

namespace schicht::copy {
namespace {

// "keyless EMAIL (issuer ISSUER)" for a certificate in PEM or DER, "key" without one.
std::string keyless_signer(const std::optional<trust::Certificate>& cert) {
  if (!cert) return "key";
  return "keyless " + trust::describe_certificate_identity(*cert);
}

std::string sigstore_signer(const trust::Signature& s) {
  auto pem = s.annotations.find(std::string(trust::kCosignCertificateAnnotation));
  if (pem == s.annotations.end()) return "key";
  try {
    return keyless_signer(trust::parse_certificates_pem(pem->second, "the certificate").front());
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::kPolicy) throw;
    return "keyless, with an unreadable certificate";
  }
}

// A string member of a JSON object, empty when absent or not a string.
std::string string_at(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return "";
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

const nlohmann::json* member(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

std::string bundle_signer(const trust::Signature& s) {
  auto doc = nlohmann::json::parse(s.bytes, nullptr, false);
  const nlohmann::json* material = member(doc, "verificationMaterial");
  if (material == nullptr) return "unreadable bundle";
  std::string raw;
  if (const nlohmann::json* cert = member(*material, "certificate")) {
    raw = string_at(*cert, "rawBytes");
  } else if (const nlohmann::json* chain = member(*material, "x509CertificateChain")) {
    const nlohmann::json* certs = member(*chain, "certificates");
    if (certs != nullptr && certs->is_array() && !certs->empty()) {
      raw = string_at((*certs)[0], "rawBytes");
    }
  } else {
    return "key";
  }
  std::optional<std::string> der = trust::base64_decode(raw);
  if (!der || der->empty()) return "keyless, with an unreadable certificate";
  try {
    return keyless_signer(trust::parse_certificate_der(*der, "the bundle's certificate"));
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::kPolicy) throw;
    return "keyless, with an unreadable certificate";
  }
}

// The verdict on `s` of the requirements of `type` that apply (any one accepting is enough, as
// evaluate() has it).
std::string judge(const trust::Requirements& requirements, std::string_view type,
                  trust::ImageVerifier& verifier, const trust::Signature& s,
                  const std::string& image) {
  std::vector<std::string> errors;
  for (const trust::Requirement& r : requirements) {
    if (r.type != type) continue;
    try {
      verifier.verify(r, s, image);
      return fmt::format("verified by {}", r.type);
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::kPolicy) throw;
      errors.push_back(e.what());
    }
  }
  if (errors.empty()) {
    return fmt::format("not judged: no {} requirement applies to this image", type);
  }
  return fmt::format("rejected by {}: {}", type, fmt::join(errors, "; "));
}

// A source whose blobs were tampered with fails as a whole (kPolicy): one entry saying so.
template <typename Source>
std::vector<trust::Signature> read_or_note(Source& source, std::vector<Evidence>& found,
                                           const std::string& kind, const std::string& origin) {
  try {
    return source.signatures();
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::kPolicy) throw;
    found.push_back(Evidence{.kind = kind, .origin = origin, .verdict = e.what()});
    return {};
  }
}

}  // namespace

Evidence referrer_evidence(const std::string& origin, const std::string& artifact_type,
                           std::string verdict) {
  return Evidence{
      .kind = artifact_type == trust::kSigstoreBundleType ? "sigstore-bundle" : "referrer",
      .origin = origin,
      .artifact_type = artifact_type,
      .verdict = std::move(verdict)};
}

SupplyChain registry_supply_chain(const trust::Policy& policy, const trust::Subject& subject,
                                  const trust::RegistriesD& config, const Reference& identity,
                                  const registry::RegistriesConf& conf,
                                  const registry::RegistryOptions& options) {
  registry::RegistryOptions reg = options;
  reg.insecure = conf.endpoint(identity).insecure;
  registry::RegistryClient client(identity.domain, reg);
  Manifest manifest = fetch_image_manifest(client, identity, PlatformChoice{});
  SupplyChain out{.manifest_digest = manifest.digest};
  const trust::Requirements& requirements =
      *trust::match_scope(policy, subject.transport, subject.scopes).requirements;
  trust::ImageVerifier verifier(identity, manifest.raw);

  http::HttpOptions lookaside_http = reg.http;
  if (reg.tls_verify) lookaside_http.tls_verify = *reg.tls_verify;
  LookasideSignatures lookaside(config, identity, manifest.digest, lookaside_http);
  for (const trust::Signature& s : lookaside.signatures()) {
    out.found.push_back(
        Evidence{.kind = s.format,
                 .origin = s.origin,
                 .verdict = judge(requirements, "signedBy", verifier, s, subject.name)});
  }

  // Listed whatever registries.d says; judged only where a pull would read them.
  bool attachments = config.use_sigstore_attachments(identity);
  auto sigstore_verdict = [&](const trust::Signature& s) {
    if (!attachments) {
      return fmt::format(
          "not judged: registries.d does not set use-sigstore-attachments for {}/{}, so a pull "
          "does not read it",
          identity.domain, identity.path);
    }
    return judge(requirements, "sigstoreSigned", verifier, s, subject.name);
  };
  SigstoreAttachmentSource attached(client, identity.path, manifest.digest);
  std::string tag = trust::sigstore_attachment_tag(manifest.digest);
  for (const trust::Signature& s :
       read_or_note(attached, out.found, "sigstore", "sigstore attachment " + tag)) {
    out.found.push_back(Evidence{.kind = s.format,
                                 .origin = s.origin,
                                 .signer = sigstore_signer(s),
                                 .verdict = sigstore_verdict(s)});
  }
  SigstoreBundleSource bundles(client, identity.path, manifest.digest);
  for (const trust::Signature& s : read_or_note(bundles, out.found, "sigstore-bundle",
                                                "referrers of " + manifest.digest.str())) {
    out.found.push_back(Evidence{.kind = s.format,
                                 .origin = s.origin,
                                 .artifact_type = std::string(trust::kSigstoreBundleType),
                                 .signer = bundle_signer(s),
                                 .verdict = sigstore_verdict(s)});
  }

  // Every other referrer: SBOMs, attestations, ... (bundles were listed above).
  Index referrers = with_context("referrers of " + manifest.digest.str(), [&] {
    return parse_index(client.referrers(identity.path, manifest.digest).bytes,
                       media_type::kOciIndex);
  });
  for (const Descriptor& d : referrers.manifests) {
    std::string type = d.artifact_type;
    if (type.empty()) {
      // The fallback tag's index may omit it; the manifest says.
      Manifest m = with_context("referrer " + d.digest.str(), [&] {
        registry::Manifest got = client.get_manifest(identity.path, d.digest.str());
        return parse_manifest(std::move(got.bytes), got.media_type);
      });
      type = m.artifact_type.empty() ? m.config.media_type : m.artifact_type;
    }
    if (type == trust::kSigstoreBundleType) continue;
    out.found.push_back(referrer_evidence("referrer " + d.digest.str(), type,
                                          "not judged: the policy does not check attestations"));
  }
  return out;
}

}  // namespace schicht::copy
