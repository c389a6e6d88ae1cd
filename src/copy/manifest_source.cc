#include "copy/manifest_source.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/io.h"
#include "core/media_type.h"
#include "oci/config.h"
#include "oci/index.h"
#include "oci/manifest.h"
#include "registry/registry_client.h"

namespace schicht::copy {

registry::Manifest remote_manifest(const Reference& reference, const registry::RegistriesConf& conf,
                                   const TransferOptions& options) {
  registry::RegistryClient client(reference.domain, endpoint_options(reference, conf, options));
  std::string version = reference.digest ? reference.digest->str() : reference.tag;
  return with_context(fmt::format("reading manifest docker://{}", reference.str()),
                      [&] { return client.get_manifest(reference.path, version); });
}

std::vector<Descriptor> remote_entries(const Reference& reference,
                                       const registry::RegistriesConf& conf,
                                       const TransferOptions& options, bool all,
                                       const PlatformChoice& choice) {
  registry::RegistryClient client(reference.domain, endpoint_options(reference, conf, options));
  std::string source = fmt::format("reading manifest docker://{}", reference.str());
  std::string version = reference.digest ? reference.digest->str() : reference.tag;
  registry::Manifest top =
      with_context(source, [&] { return client.get_manifest(reference.path, version); });
  std::string type = detect_manifest_type(top.bytes, top.media_type);
  if (media_type::is_index(type)) {
    Index index = with_context(source, [&] { return parse_index(std::move(top.bytes), type); });
    if (all) return index.manifests;
    std::vector<std::optional<Platform>> platforms;
    for (const Descriptor& d : index.manifests) platforms.push_back(d.platform);
    std::optional<size_t> chosen = choose_platform(platforms, wanted_platforms(choice));
    if (!chosen) {
      fail(ErrorKind::kNotFound,
           fmt::format("{}: no image in the list for this platform (use --all)", source));
    }
    return {index.manifests[*chosen]};
  }
  if (!media_type::is_manifest(type)) {
    fail(ErrorKind::kUnsupported, fmt::format("{}: {} is not an image manifest", source, type));
  }
  Manifest manifest = with_context(source, [&] { return parse_manifest(top.bytes, type); });
  StringWriter config_bytes;
  with_context(source, [&] {
    client.get_blob(reference.path, manifest.config.digest,
                    static_cast<uint64_t>(manifest.config.size), config_bytes);
  });
  if (Digest::sha256_of(config_bytes.str()) != manifest.config.digest) {
    fail(ErrorKind::kIntegrity, fmt::format("{}: config does not match its digest {}", source,
                                            manifest.config.digest.str()));
  }
  ImageConfig config = with_context(source, [&] { return parse_config(config_bytes.str()); });
  return {Descriptor{
      .media_type = type,
      .digest = manifest.digest,
      .size = static_cast<int64_t>(manifest.raw.size()),
      .platform = Platform{
          .os = config.os, .architecture = config.architecture, .variant = config.variant}}};
}

}  // namespace schicht::copy
