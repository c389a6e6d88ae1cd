#include "artifacts/remote.h"

#include <fmt/format.h>

#include "artifacts/local.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/media_type.h"
#include "oci/index.h"

namespace schicht::artifacts {
namespace {

registry::RegistryClient client_for(const Reference& reference,
                                    const registry::RegistriesConf& conf,
                                    const copy::TransferOptions& options) {
  return registry::RegistryClient(reference.domain,
                                  copy::endpoint_options(reference, conf, options));
}

// The tag or digest a manifest is pushed under.
std::string manifest_reference(const Reference& ref, const Digest& digest) {
  if (!ref.tag.empty()) return ref.tag;
  if (ref.digest) {
    if (*ref.digest != digest) {
      fail(ErrorKind::kInvalidInput,
           fmt::format("cannot push to {}: the artifact's digest is {}", ref.str(), digest.str()));
    }
    return ref.digest->str();
  }
  return "latest";
}

class RegistryFetch final : public BlobFetch {
 public:
  RegistryFetch(registry::RegistryClient& client, std::string repository)
      : client_(client), repository_(std::move(repository)) {}
  void fetch(const Descriptor& blob, Writer& sink) override {
    client_.get_blob(repository_, blob.digest, static_cast<uint64_t>(blob.size), sink);
  }

 private:
  registry::RegistryClient& client_;
  std::string repository_;
};

bool is_artifact(const Manifest& m) {
  return m.media_type == media_type::kOciManifest &&
         (!m.artifact_type.empty() || m.config.media_type != media_type::kOciConfig);
}

}  // namespace

std::string referrers_tag(const Digest& subject) {
  return fmt::format("{}-{}", subject.algorithm_name(), subject.hex());
}

Descriptor remote_descriptor(registry::RegistryClient& client, const Reference& reference) {
  std::string ref = reference.digest ? reference.digest->str()
                                     : (reference.tag.empty() ? "latest" : reference.tag);
  registry::Manifest m = client.get_manifest(reference.path, ref);
  return Descriptor{
      .media_type = m.media_type.empty() ? detect_manifest_type(m.bytes) : m.media_type,
      .digest = m.digest,
      .size = static_cast<int64_t>(m.bytes.size())};
}

Referrers remote_referrers(registry::RegistryClient& client, std::string_view repository,
                           const Digest& subject) {
  registry::RegistryClient::ReferrersIndex index = client.referrers(repository, subject);
  return {.manifests = parse_index(std::move(index.bytes), media_type::kOciIndex).manifests,
          .from_api = index.from_api};
}

void record_referrer(registry::RegistryClient& client, std::string_view repository,
                     const Manifest& manifest) {
  if (!manifest.subject) return;
  if (client.get_referrers(repository, manifest.subject->digest)) return;  // the registry's job
  std::string tag = referrers_tag(manifest.subject->digest);
  std::vector<Descriptor> entries;
  if (client.head_manifest(repository, tag)) {
    registry::Manifest current = client.get_manifest(repository, tag);
    entries = parse_index(std::move(current.bytes), current.media_type).manifests;
  }
  for (const auto& e : entries) {
    if (e.digest == manifest.digest) return;  // recorded already
  }
  entries.push_back(referrer_descriptor(manifest));
  client.put_manifest(repository, tag, serialize_oci_index(entries), media_type::kOciIndex);
}

Digest push_artifact(store::Store& store, std::string_view name,
                     const std::optional<Reference>& destination,
                     const registry::RegistriesConf& conf, const copy::TransferOptions& options) {
  Artifact artifact = resolve_artifact(store, name);
  Reference dest = destination ? *destination : Reference::parse(artifact.info.name);
  registry::RegistryClient client = client_for(dest, conf, options);
  std::vector<Descriptor> blobs{artifact.manifest.config};
  blobs.insert(blobs.end(), artifact.manifest.layers.begin(), artifact.manifest.layers.end());
  for (const auto& b : blobs) {
    if (client.head_blob(dest.path, b.digest)) continue;
    if (options.report) options.report(fmt::format("Copying blob {}", b.digest.short_hex()));
    UniqueFd fd = store.blobs().open(b.digest);
    FdReader reader(fd.get(), b.digest.str());
    client.push_blob(dest.path, b.digest, static_cast<uint64_t>(b.size), reader);
  }
  if (options.report) options.report("Writing manifest to image destination");
  client.put_manifest(dest.path, manifest_reference(dest, artifact.manifest.digest),
                      artifact.manifest.raw, media_type::kOciManifest);
  record_referrer(client, dest.path, artifact.manifest);
  return artifact.manifest.digest;
}

Digest pull_artifact(store::Store& store, const Reference& source,
                     const registry::RegistriesConf& conf, const copy::TransferOptions& options,
                     bool replace) {
  registry::RegistryClient client = client_for(source, conf, options);
  std::string ref =
      source.digest ? source.digest->str() : (source.tag.empty() ? "latest" : source.tag);
  registry::Manifest fetched = client.get_manifest(source.path, ref);
  std::string type =
      fetched.media_type.empty() ? detect_manifest_type(fetched.bytes) : fetched.media_type;
  if (type != media_type::kOciManifest) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("{} is not an artifact (its manifest is {}); use pull for images",
                     source.str(), type));
  }
  Manifest manifest = parse_manifest(std::move(fetched.bytes), type);
  if (!is_artifact(manifest)) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("{} is an image, not an artifact; use pull for images", source.str()));
  }
  RegistryFetch fetch(client, source.path);
  return store_artifact(store, Reference::parse_docker_ref(source.str()).str(), manifest, fetch,
                        replace);
}

Digest attach_referrer(const Reference& repository, const registry::RegistriesConf& conf,
                       const copy::TransferOptions& options, const Descriptor& subject,
                       std::string_view artifact_type, const std::vector<ReferrerBlob>& layers,
                       const std::map<std::string, std::string>& annotations) {
  registry::RegistryClient client = client_for(repository, conf, options);
  return attach_referrer(client, repository.path, subject, artifact_type, layers, annotations);
}

Digest attach_referrer(registry::RegistryClient& client, std::string_view repository,
                       const Descriptor& subject, std::string_view artifact_type,
                       const std::vector<ReferrerBlob>& layers,
                       const std::map<std::string, std::string>& annotations) {
  if (artifact_type.empty()) fail(ErrorKind::kInvalidInput, "an artifact type is required");
  Descriptor config = empty_descriptor();
  std::vector<Descriptor> descriptors;
  auto push = [&](const Digest& digest, std::string_view bytes) {
    if (client.head_blob(repository, digest)) return;
    StringReader reader(bytes);
    client.push_blob(repository, digest, bytes.size(), reader);
  };
  push(config.digest, "{}");
  for (const auto& l : layers) {
    Descriptor d{.media_type = l.media_type,
                 .digest = Digest::sha256_of(l.bytes),
                 .size = static_cast<int64_t>(l.bytes.size())};
    d.annotations = l.annotations;
    push(d.digest, l.bytes);
    descriptors.push_back(std::move(d));
  }
  std::string raw =
      serialize_oci_manifest(config, descriptors, annotations, subject, artifact_type);
  Manifest manifest = parse_manifest(raw, media_type::kOciManifest);
  client.put_manifest(repository, manifest.digest.str(), raw, media_type::kOciManifest);
  record_referrer(client, repository, manifest);
  return manifest.digest;
}

Digest attach_files(const Reference& subject, const registry::RegistriesConf& conf,
                    const copy::TransferOptions& options, std::string_view artifact_type,
                    std::string_view file_type, const std::vector<std::string>& files,
                    const std::map<std::string, std::string>& annotations) {
  std::vector<ReferrerBlob> layers;
  for (const auto& f : files) {
    fs::path path(f);
    layers.push_back(
        ReferrerBlob{.media_type = std::string(file_type.empty() ? kDefaultFileType : file_type),
                     .bytes = read_file(path),
                     .annotations = {{std::string(kTitleAnnotation), path.filename().string()}}});
  }
  registry::RegistryClient client(subject.domain, copy::endpoint_options(subject, conf, options));
  Descriptor target = remote_descriptor(client, subject);
  return attach_referrer(subject, conf, options, target, artifact_type, layers, annotations);
}

Discovered discover_remote(const Reference& reference, const registry::RegistriesConf& conf,
                           const copy::TransferOptions& options) {
  registry::RegistryClient client(reference.domain,
                                  copy::endpoint_options(reference, conf, options));
  Discovered out{.subject = remote_descriptor(client, reference)};
  out.referrers = remote_referrers(client, reference.path, out.subject.digest).manifests;
  return out;
}

}  // namespace schicht::artifacts
