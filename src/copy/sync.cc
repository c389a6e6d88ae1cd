#include "copy/sync.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <optional>

#include <fmt/format.h>

#include "copy/sync_yaml.h"
#include "core/digest.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/reference.h"
#include "registry/registry_client.h"

namespace schicht::copy {
namespace {

using transport::Transport;
using transport::TransportRef;

void report(const SyncOptions& options, const std::string& line) {
  if (options.copy.transfer.report) options.copy.transfer.report(line);
}

registry::RegistryOptions reach(const Reference& reference, const registry::RegistriesConf& conf,
                                const registry::RegistryOptions& options) {
  TransferOptions transfer;
  transfer.registry = options;
  return endpoint_options(reference, conf, transfer);
}

std::vector<std::string> registry_tags(const Reference& repository,
                                       const registry::RegistriesConf& conf,
                                       const registry::RegistryOptions& options) {
  registry::RegistryClient client(repository.domain, reach(repository, conf, options));
  return with_context(fmt::format("listing tags of {}", repository.name()),
                      [&] { return client.list_tags(repository.path); });
}

// skopeo's path.Base of a reference or a relative path.
std::string last_element(const std::string& text) {
  size_t slash = text.rfind('/');
  return slash == std::string::npos ? text : text.substr(slash + 1);
}

TransportRef destination_ref(const std::string& destination, const std::string& suffix,
                             const SyncOptions& options) {
  std::string tail = options.scoped ? suffix : last_element(suffix);
  if (options.destination == SyncDestinationKind::kDir) {
    std::string path = (fs::path(destination) / tail).string();
    return TransportRef{.transport = Transport::kDir, .name = "dir", .rest = path, .path = path};
  }
  std::string text = destination;
  while (!text.empty() && text.back() == '/') text.pop_back();
  std::optional<Reference> parsed = Reference::try_parse(text + "/" + tail);
  if (!parsed) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("Cannot obtain a valid image reference for transport \"docker\" and "
                     "reference \"//{}/{}\": invalid reference format",
                     text, tail));
  }
  return TransportRef{.transport = Transport::kDocker, .name = "docker", .rest = parsed->str()};
}

TransportRef docker_source(const Reference& image) {
  return TransportRef{.transport = Transport::kDocker, .name = "docker", .rest = image.str()};
}

// A repository's images: the reference itself when it names a tag or digest, else every tag.
SyncSet repository_set(const Reference& repository, const std::vector<std::string>& tags,
                       const std::optional<std::string>& regex, const std::string& destination,
                       const SyncOptions& options, const registry::RegistryOptions& registry,
                       const registry::RegistriesConf& conf) {
  SyncSet set{.images = {}, .source_registry = registry};
  std::vector<Reference> images;
  if (!tags.empty()) {
    for (const std::string& tag : tags) {
      Reference image = repository;
      if (std::optional<Digest> digest = Digest::try_parse(tag)) {
        image.digest = digest;
      } else {
        image.tag = tag;
      }
      if (!Reference::try_parse(image.str())) {
        fail(ErrorKind::kInvalidInput,
             fmt::format("{}: {:?} is not a valid tag or digest", repository.name(), tag));
      }
      images.push_back(image);
    }
  } else {
    for (const std::string& tag : registry_tags(repository, conf, registry)) {
      if (regex && !tag_matches(*regex, tag)) continue;
      Reference image = repository;
      image.tag = tag;
      images.push_back(image);
    }
  }
  for (const Reference& image : images) {
    set.images.push_back(
        {docker_source(image), destination_ref(destination, image.str(), options)});
  }
  return set;
}

std::vector<SyncSet> plan_docker(const std::string& source, const std::string& destination,
                                 const SyncOptions& options, const registry::RegistriesConf& conf) {
  std::optional<Reference> reference = Reference::try_parse(source);
  if (!reference) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("Cannot obtain a valid image reference for transport \"docker\" and "
                     "reference {:?}: invalid reference format",
                     source));
  }
  std::vector<std::string> one;
  if (!reference->tag.empty() || reference->digest) {
    one.push_back(reference->digest ? reference->digest->str() : reference->tag);
    reference->tag.clear();
    reference->digest.reset();
  }
  return {repository_set(*reference, one, std::nullopt, destination, options,
                         options.copy.source_registry, conf)};
}

std::vector<SyncSet> plan_yaml(const std::string& file, const std::string& destination,
                               const SyncOptions& options, const registry::RegistriesConf& conf) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) fail_errno("stat", file);
  if (st.st_size > static_cast<off_t>(kSyncYamlLimit)) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("invalid sync YAML file {:?}: larger than {} bytes", file, kSyncYamlLimit));
  }
  std::vector<SyncSet> plan;
  for (const SyncYamlRegistry& entry : parse_sync_yaml(read_file(file), file)) {
    registry::RegistryOptions registry = options.copy.source_registry;
    if (entry.tls_verify) registry.tls_verify = *entry.tls_verify;
    if (entry.credentials) registry.credentials = entry.credentials;
    if (!entry.cert_dir.empty()) registry.cert_dir = entry.cert_dir;
    auto repository = [&](const std::string& path) {
      std::optional<Reference> parsed = Reference::try_parse(entry.name + "/" + path);
      if (!parsed || !parsed->tag.empty() || parsed->digest) {
        fail(ErrorKind::kInvalidInput,
             fmt::format("invalid sync YAML file {:?}: {}: {:?} is not a repository", file,
                         entry.name, path));
      }
      return *parsed;
    };
    for (const auto& [path, tags] : entry.images) {
      plan.push_back(repository_set(repository(path), tags, std::nullopt, destination, options,
                                    registry, conf));
    }
    for (const auto& [path, regex] : entry.images_by_tag_regex) {
      plan.push_back(
          repository_set(repository(path), {}, regex, destination, options, registry, conf));
    }
  }
  return plan;
}

// Every directory below `root` holding a manifest.json (not descending into one), as skopeo
// walks a dir: source.
std::vector<SyncSet> plan_dir(const std::string& source, const std::string& destination,
                              const SyncOptions& options) {
  std::error_code ec;
  if (!fs::is_directory(source, ec)) {
    fail(ErrorKind::kNotFound, fmt::format("{}: not a directory", source));
  }
  fs::path root = fs::path(source).lexically_normal();
  SyncSet set{.images = {}, .source_registry = {}};
  auto add = [&](const fs::path& layout, const std::string& suffix) {
    TransportRef from{.transport = Transport::kDir,
                      .name = "dir",
                      .rest = layout.string(),
                      .path = layout.string()};
    set.images.push_back({from, destination_ref(destination, suffix, options)});
  };
  if (fs::is_regular_file(root / "manifest.json", ec)) {
    add(root, last_element(root.has_filename() ? root.filename().string()
                                               : root.parent_path().filename().string()));
    return {set};
  }
  std::vector<fs::path> layouts;
  // Error codes, not exceptions: no std message reaches a user.
  auto it = fs::recursive_directory_iterator(root, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code entry_ec;
    if (it->is_symlink(entry_ec) || !it->is_directory(entry_ec)) continue;
    if (fs::is_regular_file(it->path() / "manifest.json", entry_ec)) {
      layouts.push_back(it->path());
      it.disable_recursion_pending();
    }
  }
  if (ec) fail(ErrorKind::kIo, fmt::format("reading {}: {}", source, ec.message()));
  std::sort(layouts.begin(), layouts.end());
  for (const fs::path& layout : layouts) add(layout, layout.lexically_relative(root).string());
  return {set};
}

// The digest the destination's reference names now, if it names anything.
std::optional<Digest> destination_digest(const TransportRef& destination,
                                         const registry::RegistriesConf& conf,
                                         const SyncOptions& options) {
  if (destination.transport == Transport::kDir) {
    std::error_code ec;
    fs::path manifest = fs::path(destination.path) / "manifest.json";
    if (!fs::is_regular_file(manifest, ec)) return std::nullopt;
    return Digest::sha256_of(read_file(manifest));
  }
  Reference reference = Reference::parse(destination.rest).with_default_tag();
  registry::RegistryClient client(reference.domain,
                                  reach(reference, conf, options.copy.destination_registry));
  std::string wanted = reference.digest ? reference.digest->str() : reference.tag;
  std::optional<registry::ManifestHead> head = client.head_manifest(reference.path, wanted);
  if (!head) return std::nullopt;
  if (head->digest) return head->digest;
  return client.get_manifest(reference.path, wanted).digest;
}

}  // namespace

SyncSourceKind parse_sync_source(std::string_view text) {
  if (text == "docker") return SyncSourceKind::kDocker;
  if (text == "dir") return SyncSourceKind::kDir;
  if (text == "yaml") return SyncSourceKind::kYaml;
  fail(ErrorKind::kInvalidInput,
       fmt::format("{:?} is not a valid source transport (docker, dir or yaml)", text));
}

SyncDestinationKind parse_sync_destination(std::string_view text) {
  if (text == "docker") return SyncDestinationKind::kDocker;
  if (text == "dir") return SyncDestinationKind::kDir;
  fail(ErrorKind::kInvalidInput,
       fmt::format("{:?} is not a valid destination transport (docker or dir)", text));
}

std::vector<SyncSet> plan_sync(const std::string& source, const std::string& destination,
                               const SyncOptions& options, const registry::RegistriesConf& conf) {
  if (source.empty()) fail(ErrorKind::kInvalidInput, "no SOURCE given");
  if (destination.empty()) fail(ErrorKind::kInvalidInput, "no DESTINATION given");
  switch (options.source) {
    case SyncSourceKind::kDocker:
      return plan_docker(source, destination, options, conf);
    case SyncSourceKind::kYaml:
      return plan_yaml(source, destination, options, conf);
    case SyncSourceKind::kDir:
      if (options.destination == SyncDestinationKind::kDir) {
        fail(ErrorKind::kInvalidInput,
             "sync from 'dir' to 'dir' not implemented, consider using 'cp' instead");
      }
      return plan_dir(source, destination, options);
  }
  fail(ErrorKind::kInternal, "unknown sync source");
}

SyncResult run_sync(const trust::Policy* policy, const std::vector<SyncSet>& plan,
                    const registry::RegistriesConf& conf, const SyncOptions& options) {
  SyncResult result;
  result.sources = plan.size();
  for (const SyncSet& set : plan) {
    for (size_t i = 0; i < set.images.size(); ++i) {
      const SyncImage& image = set.images[i];
      ++result.images;
      std::string what = fmt::format("image ref {}/{} from {:?} to {:?}", i + 1, set.images.size(),
                                     image.source.str(), image.destination.str());
      CopyOptions copy = options.copy;
      copy.source_registry = set.source_registry;
      bool skipped = false;
      copy.skip = [&](const Digest& would_write) {
        std::optional<Digest> there = destination_digest(image.destination, conf, options);
        skipped = there && *there == would_write;
        if (skipped) {
          report(options,
                 fmt::format("{} {}: the destination has {} already",
                             options.dry_run ? "Would skip" : "Skipping", what, would_write.str()));
        } else if (options.dry_run) {
          report(options, fmt::format("Would have copied {}", what));
        } else {
          report(options, fmt::format("Copying {}", what));
        }
        return skipped || options.dry_run;
      };
      try {
        if (!options.dry_run && image.destination.transport == Transport::kDir) {
          std::error_code ec;
          fs::path parent = fs::path(image.destination.path).parent_path();
          fs::create_directories(parent, ec);
          if (ec) {
            fail(ErrorKind::kIo, fmt::format("creating {}: {}", parent.string(), ec.message()));
          }
        }
        copy_image(policy, image.source, image.destination, conf, copy);
      } catch (const Error& e) {
        Error failed = e.with_context(fmt::format("Error copying ref {:?}", image.source.str()));
        if (!options.keep_going) throw failed;
        fmt::print(stderr, "Error: {}\n", failed.what());
        ++result.failed;
        continue;
      }
      if (skipped) {
        ++result.skipped;
      } else if (!options.dry_run) {
        ++result.copied;
      }
    }
  }
  if (options.dry_run) {
    report(options, fmt::format("Would have synced {} images from {} sources ({} skipped)",
                                result.images - result.failed, result.sources, result.skipped));
  } else {
    report(options, fmt::format("Synced {} images from {} sources ({} copied, {} skipped)",
                                result.copied + result.skipped, result.sources, result.copied,
                                result.skipped));
  }
  if (result.failed > 0) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("Sync failed due to previous reported error(s) for {} images", result.failed));
  }
  return result;
}

}  // namespace schicht::copy
