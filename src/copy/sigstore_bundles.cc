#include "copy/sigstore_bundles.h"

#include <fmt/format.h>

#include "copy/small_blob.h"
#include "core/error.h"
#include "core/media_type.h"
#include "oci/index.h"
#include "oci/manifest.h"
#include "trust/sigstore_bundle.h"

namespace schicht::copy {
namespace {

// Bundles are a few kilobytes; a referrer list is not a place to hide many of them.
constexpr size_t kBundleLimit = size_t{1} << 20;
constexpr size_t kMaxBundles = 16;

}  // namespace

std::vector<trust::Signature> SigstoreBundleSource::signatures() {
  std::string what = fmt::format("referrers of {}", digest_.str());
  Index referrers = with_context(what, [&] {
    return parse_index(client_.referrers(repository_, digest_).bytes, media_type::kOciIndex);
  });
  std::vector<trust::Signature> out;
  for (const Descriptor& d : referrers.manifests) {
    // The fallback tag's index may omit artifactType; the manifest itself says.
    if (!d.artifact_type.empty() && d.artifact_type != trust::kSigstoreBundleType) continue;
    if (d.media_type != media_type::kOciManifest) continue;
    Manifest m = with_context(what, [&] {
      registry::Manifest got = client_.get_manifest(repository_, d.digest.str());
      return parse_manifest(std::move(got.bytes), got.media_type);
    });
    bool bundle = m.artifact_type == trust::kSigstoreBundleType ||
                  (m.artifact_type.empty() && m.config.media_type == trust::kSigstoreBundleType);
    if (!bundle || !m.subject || m.subject->digest != digest_) continue;
    for (const Descriptor& layer : m.layers) {
      if (layer.media_type != trust::kSigstoreBundleType) continue;
      if (out.size() == kMaxBundles) {
        fail(ErrorKind::kPolicy,
             fmt::format("more than {} Sigstore bundles refer to {}", kMaxBundles, digest_.str()));
      }
      std::string bytes;
      try {
        bytes = fetch_small_blob(client_, repository_, layer, kBundleLimit);
      } catch (const Error& e) {
        if (e.kind() != ErrorKind::kIntegrity) throw;
        fail(ErrorKind::kPolicy,
             fmt::format("invalid signature: the Sigstore bundle {} in the registry was tampered "
                         "with: {}",
                         layer.digest.str(), e.what()));
      }
      out.push_back(trust::Signature{.format = std::string(trust::kSigstoreBundle),
                                     .bytes = std::move(bytes),
                                     .origin = fmt::format("sigstore bundle {} (referrer {})",
                                                           layer.digest.str(), d.digest.str())});
    }
  }
  return out;
}

}  // namespace schicht::copy
