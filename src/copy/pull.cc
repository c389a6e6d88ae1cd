#include "copy/pull.h"

#include <memory>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "copy/copy_image.h"
#include "copy/docker_image.h"
#include "copy/pull_trust.h"
#include "copy/short_names.h"
#include "copy/storage_image.h"
#include "core/error.h"
#include "core/kill_point.h"
#include "core/media_type.h"
#include "oci/index.h"
#include "oci/manifest.h"
#include "registry/registry_client.h"
#include "store/lists.h"
#include "store/lookup.h"

namespace schicht::copy {
namespace {

void report(const TransferOptions& options, const std::string& line) {
  if (options.report) options.report(line);
}

std::string available_platforms(const Index& index) {
  std::string out;
  for (const Descriptor& d : index.manifests) {
    if (d.platform) out += (out.empty() ? "" : ", ") + d.platform->str();
  }
  return out.empty() ? "none" : out;
}

// The image manifest `reference` names: itself, or an index's instance for the platform (the
// index then goes to `list`).
Manifest resolve_manifest(registry::RegistryClient& client, const Reference& reference,
                          const PlatformChoice& choice, std::optional<Index>* list) {
  std::string source = fmt::format("initializing source docker://{}", reference.str());
  std::string version = reference.digest ? reference.digest->str() : reference.tag;
  registry::Manifest top =
      with_context(source, [&] { return client.get_manifest(reference.path, version); });
  std::string type = detect_manifest_type(top.bytes, top.media_type);
  if (media_type::is_schema1(type)) {
    fail(ErrorKind::kUnsupported,
         fmt::format("{}: Docker schema 1 manifests are not supported", source));
  }
  if (!media_type::is_index(type)) {
    return with_context(source, [&] { return parse_manifest(std::move(top.bytes), type); });
  }
  Index index = with_context(source, [&] { return parse_index(std::move(top.bytes), type); });
  std::vector<std::optional<Platform>> platforms;
  for (const Descriptor& d : index.manifests) {
    platforms.push_back(media_type::is_manifest(d.media_type) ? d.platform : std::nullopt);
  }
  std::vector<Platform> wanted = wanted_platforms(choice);
  std::optional<size_t> chosen = choose_platform(platforms, wanted);
  if (!chosen || !media_type::is_manifest(index.manifests[*chosen].media_type)) {
    fail(ErrorKind::kNotFound,
         fmt::format("choosing an image from manifest list docker://{}: no image found in image "
                     "index for architecture {}, variant \"{}\", OS {} (the index has: {})",
                     reference.str(), wanted.front().architecture, wanted.front().variant,
                     wanted.front().os, available_platforms(index)));
  }
  *list = index;
  const Descriptor& instance = index.manifests[*chosen];
  registry::Manifest bytes = with_context(
      source, [&] { return client.get_manifest(reference.path, instance.digest.str()); });
  if (bytes.bytes.size() != static_cast<uint64_t>(instance.size)) {
    fail(ErrorKind::kIntegrity,
         fmt::format("{}: manifest {} is {} bytes, the index says {}", source,
                     instance.digest.str(), bytes.bytes.size(), instance.size));
  }
  return with_context(source, [&] {
    return parse_manifest(std::move(bytes.bytes),
                          bytes.media_type.empty() ? instance.media_type : bytes.media_type);
  });
}

// The image pull chose and checked (an index's instance, or the manifest itself) as the top
// manifest of its docker source: the engine copies exactly that, its blobs from the source.
// (A whole list the same way: the bytes checked are the bytes stored.)
class ResolvedSource final : public ImageSource {
 public:
  ResolvedSource(std::unique_ptr<ImageSource> inner, RawManifest top)
      : inner_(std::move(inner)), top_(std::move(top)) {}

  std::string name() const override { return inner_->name(); }
  RawManifest manifest(const std::optional<Digest>& instance) override {
    return instance ? inner_->manifest(instance) : top_;
  }
  void get_blob(const Descriptor& blob, Writer& out) override { inner_->get_blob(blob, out); }
  std::optional<RegistryRepository> repository() const override { return inner_->repository(); }

 private:
  std::unique_ptr<ImageSource> inner_;
  RawManifest top_;
};

// What --all-platforms stores of a list: images, not the attestations BuildKit lists beside
// them (their layers are in-toto statements, not tars); the list keeps naming those.
bool is_image_instance(const Descriptor& entry) {
  auto type = entry.annotations.find("vnd.docker.reference.type");
  return type == entry.annotations.end() || type->second != "attestation-manifest";
}

// The engine's policy check for a pull (copy_image.h: SourceAdmission), from the endpoint
// `source` through `client`. The PullAdmission took its first step before anything was
// fetched (the engine repeats it, with no I/O); the signature step runs on the manifest the
// engine copies: the image, or each image instance of a whole list, before any blob moves.
class PullSourceAdmission final : public SourceAdmission {
 public:
  PullSourceAdmission(const PullAdmission& admission, registry::RegistryClient& client,
                      const Reference& source)
      : admission_(admission), client_(client), source_(source) {}

  void before_open() override { admission_.admit_unsigned(); }

  void admit_manifest(ImageSource& image, const RawManifest& top) override {
    if (!admission_.needs_manifests()) return;
    std::string context = fmt::format("initializing source docker://{}", source_.str());
    if (!media_type::is_index(top.media_type)) {
      admission_.check_manifest(client_, source_, with_context(context, [&] {
                                  return parse_manifest(top.bytes, top.media_type);
                                }));
      return;
    }
    Index index = with_context(context, [&] { return parse_index(top.bytes, top.media_type); });
    for (const Descriptor& d : index.manifests) {
      if (!is_image_instance(d)) continue;
      RawManifest got = with_context(context, [&] { return image.manifest(d.digest); });
      Manifest instance = with_context(context, [&] {
        return parse_manifest(std::move(got.bytes),
                              got.media_type.empty() ? d.media_type : got.media_type);
      });
      if (instance.digest != d.digest) {
        fail(ErrorKind::kIntegrity,
             fmt::format("{}: manifest {} does not have that digest", context, d.digest.str()));
      }
      admission_.check_manifest(client_, source_, instance);
    }
  }

 private:
  const PullAdmission& admission_;
  registry::RegistryClient& client_;
  const Reference& source_;
};

// Everything after the manifest: one copy through the engine into the store (see pull.h).
PulledImage store_image(store::Store& store, registry::RegistryClient& client,
                        const Reference& source, const Manifest& manifest, const std::string& name,
                        const PullAdmission& admission, const PullOptions& options) {
  const std::string& config_type = manifest.config.media_type;
  if (config_type != media_type::kOciConfig && config_type != media_type::kDockerConfig) {
    fail(ErrorKind::kUnsupported,
         fmt::format("docker://{}: config media type {} is not an image's; schicht pulls images "
                     "only",
                     source.str(), config_type));
  }
  PullSourceAdmission admitted(admission, client, source);
  CopyOptions copy;
  copy.transfer = options;
  copy_admitted(
      admitted,
      [&]() -> std::unique_ptr<ImageSource> {
        return std::make_unique<ResolvedSource>(docker_source(source, client),
                                                RawManifest{manifest.raw, manifest.media_type});
      },
      // The destination removes whatever it stored if anything fails.
      [&](ImageSource&) {
        return storage_destination(store, name, "pull", options.platform, {}, options.unpack);
      },
      copy);
  return PulledImage{manifest.config.digest, manifest.digest, name};
}

// --all-platforms: when `source` names a list, every instance and the list go into the store
// (storage_image.h says how they are named); nullopt when it names a single image. With a
// policy that needs signatures, each instance is checked before anything is stored.
std::optional<PulledImage> store_whole_list(store::Store& store, registry::RegistryClient& client,
                                            const Reference& source, const std::string& name,
                                            const PullAdmission& admission,
                                            const PullOptions& options) {
  std::string context = fmt::format("initializing source docker://{}", source.str());
  std::string version = source.digest ? source.digest->str() : source.tag;
  registry::Manifest top =
      with_context(context, [&] { return client.get_manifest(source.path, version); });
  std::string type = detect_manifest_type(top.bytes, top.media_type);
  if (!media_type::is_index(type)) return std::nullopt;
  Index index = with_context(context, [&] { return parse_index(top.bytes, type); });
  // As a single pull records them: `manifest push --all` finds the attestations there.
  store::ListSources sources;
  for (const Descriptor& d : index.manifests) {
    sources[d.digest.str()] = source.domain + "/" + source.path;
  }
  // With a policy that needs signatures, each image instance is checked (by the engine, before
  // any blob moves).
  PullSourceAdmission admitted(admission, client, source);
  CopyOptions copy;
  copy.multi_arch = MultiArch::kAll;
  copy.copies_instance = is_image_instance;
  copy.transfer = options;
  copy_admitted(
      admitted,
      [&]() -> std::unique_ptr<ImageSource> {
        return std::make_unique<ResolvedSource>(docker_source(source, client),
                                                RawManifest{index.raw, index.media_type});
      },
      [&](ImageSource&) {
        return storage_destination(store, name, "pull", options.platform, sources, options.unpack);
      },
      copy);
  // The ID printed: the instance's for the platform (the one `name` names), else the list's.
  std::vector<std::optional<Platform>> platforms;
  for (const Descriptor& d : index.manifests) platforms.push_back(d.platform);
  std::optional<size_t> chosen = choose_platform(platforms, wanted_platforms(options.platform));
  if (!chosen) return PulledImage{index.digest, index.digest, name};
  Reference by_digest = Reference::parse(name);
  by_digest.tag.clear();
  by_digest.digest = index.manifests[*chosen].digest;
  std::optional<Digest> id = store::find_image(store, by_digest.str());
  return PulledImage{id.value_or(index.digest), *by_digest.digest, name};
}

std::string stored_name(const Reference& reference) {
  Reference name = reference;
  if (name.digest) name.tag.clear();  // podman stores repo@digest for a pull by digest
  return name.str();
}

registry::RegistryOptions options_for(const registry::Endpoint& endpoint,
                                      const TransferOptions& options) {
  registry::RegistryOptions out = options.registry;
  out.insecure = endpoint.insecure;
  return out;
}

}  // namespace

PulledImage pull_image(store::Store& store, const Reference& reference,
                       const registry::RegistriesConf& conf, const PullOptions& options) {
  report(options, fmt::format("Trying to pull {}...", reference.str()));
  PullAdmission admission(options, reference);
  std::vector<registry::Endpoint> endpoints = conf.pull_endpoints(reference);
  std::string mirror_errors;
  for (size_t i = 0; i < endpoints.size(); ++i) {
    const registry::Endpoint& endpoint = endpoints[i];
    bool last = i + 1 == endpoints.size();
    try {
      if (endpoint.blocked) {
        fail(ErrorKind::kPolicy,
             fmt::format("registry {} is blocked in registries.conf", endpoint.reference.domain));
      }
      registry::RegistryClient client(endpoint.reference.domain, options_for(endpoint, options));
      if (options.all_platforms) {
        std::optional<PulledImage> whole = store_whole_list(
            store, client, endpoint.reference, stored_name(reference), admission, options);
        if (whole) return *whole;
      }
      std::optional<Index> list;
      Manifest manifest = resolve_manifest(client, endpoint.reference, options.platform, &list);
      PulledImage pulled = store_image(store, client, endpoint.reference, manifest,
                                       stored_name(reference), admission, options);
      kill_point("pull-image-stored");
      // The list goes under the name too: after a pull of another platform the name still
      // knows every instance it had (`manifest inspect NAME`, NAME@digest).
      // Its other instances can be copied from where they came (`manifest push --all`).
      if (list) {
        store::ListSources sources;
        std::string repository = endpoint.reference.domain + "/" + endpoint.reference.path;
        for (const Descriptor& d : list->manifests) sources[d.digest.str()] = repository;
        store::put_list(store, pulled.name, list->raw, list->media_type, list->media_type,
                        std::nullopt, sources);
      }
      return pulled;
    } catch (const Error& e) {
      if (last) {
        if (mirror_errors.empty()) throw;
        throw Error(e.kind(),
                    fmt::format("{} (mirrors also failed: [{}])", e.what(), mirror_errors));
      }
      mirror_errors += (mirror_errors.empty() ? "" : ", ") + std::string(e.what());
    }
  }
  fail(ErrorKind::kInternal, "registries.conf gave no endpoint to pull from");
}

Manifest fetch_image_manifest(registry::RegistryClient& client, const Reference& reference,
                              const PlatformChoice& platform) {
  std::optional<Index> list;
  return resolve_manifest(client, reference, platform, &list);
}

PulledImage pull(store::Store& store, std::string_view text, const registry::RegistriesConf& conf,
                 const registry::RegistriesConfSources& sources, const PullOptions& options) {
  PullCandidates candidates = resolve_pull_name(text, conf, sources);
  if (!candidates.note.empty()) report(options, candidates.note);
  std::vector<Error> errors;
  for (const Reference& reference : candidates.references) {
    try {
      return pull_image(store, reference, conf, options);
    } catch (const Error& e) {
      errors.push_back(e);
    }
  }
  if (errors.size() == 1) throw errors.front();
  std::string message = fmt::format("{} errors occurred while pulling:", errors.size());
  for (const Error& e : errors) message += fmt::format("\n * {}", e.what());
  throw Error(errors.back().kind(), message);
}

std::vector<PulledImage> pull_all_tags(store::Store& store, std::string_view text,
                                       const registry::RegistriesConf& conf,
                                       const registry::RegistriesConfSources& sources,
                                       const PullOptions& options) {
  PullCandidates candidates = resolve_pull_name(text, conf, sources);
  if (!candidates.note.empty()) report(options, candidates.note);
  const Reference& repository = candidates.references.front();
  registry::RegistryClient client(repository.domain,
                                  options_for(conf.endpoint(repository), options));
  std::vector<std::string> tags =
      with_context(fmt::format("listing tags of docker://{}", repository.name()),
                   [&] { return client.list_tags(repository.path); });
  std::vector<PulledImage> pulled;
  for (const std::string& tag : tags) {
    Reference reference = repository;
    reference.tag = tag;
    reference.digest.reset();
    pulled.push_back(pull_image(store, reference, conf, options));
  }
  return pulled;
}

}  // namespace schicht::copy
