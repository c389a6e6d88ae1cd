// image sbom: a software bill of materials of an image's packages (SPDX 2.3 or CycloneDX 1.5
// JSON), from the package databases in its layers (sbom/), optionally attached to the image in
// a registry as an OCI 1.1 referrer (artifacts/remote.h).
#include <time.h>

#include <algorithm>
#include <cstdlib>

#include <fmt/format.h>

#include "artifacts/remote.h"
#include "cli/commands.h"
#include "cli/registry_command_options.h"
#include "cli/registry_flags.h"
#include "containers/containers.h"
#include "copy/options.h"
#include "copy/short_names.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/reference.h"
#include "registry/registries_conf.h"
#include "sbom/document.h"
#include "sbom/inventory.h"
#include "sbom/remote_image.h"
#include "sbom/subject.h"
#include "store/lookup.h"

namespace schicht::cli {

namespace {

sbom::Format parse_format(std::string_view format) {
  if (format == "spdx-json" || format == "spdx") return sbom::Format::kSpdxJson;
  if (format == "cyclonedx-json" || format == "cyclonedx") return sbom::Format::kCycloneDxJson;
  fail(ErrorKind::kInvalidInput,
       fmt::format("unsupported --format {:?}: spdx-json or cyclonedx-json", format));
}

// Now, or SOURCE_DATE_EPOCH when set (reproducible documents), as RFC 3339 UTC seconds.
std::string creation_time() {
  time_t now = ::time(nullptr);
  if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH"); epoch && *epoch) {
    char* end = nullptr;
    errno = 0;
    long long seconds = std::strtoll(epoch, &end, 10);
    if (*end != '\0' || errno != 0 || seconds < 0) {
      fail(ErrorKind::kInvalidInput,
           fmt::format("SOURCE_DATE_EPOCH {:?}: not a number of seconds", epoch));
    }
    now = static_cast<time_t>(seconds);
  }
  struct tm tm {};
  if (!::gmtime_r(&now, &tm)) fail(ErrorKind::kInvalidInput, "SOURCE_DATE_EPOCH: out of range");
  char buffer[64];
  ::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

// "docker.io/library/debian:12" -> "docker.io/library/debian"
std::string repository_of(std::string_view name) {
  if (size_t at = name.find('@'); at != std::string_view::npos) name = name.substr(0, at);
  size_t slash = name.rfind('/');
  size_t colon = name.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    name = name.substr(0, colon);
  }
  return std::string(name);
}

// --attach DEST: "docker://host/repo[:tag|@digest]" (or without docker://), the tag or
// digest naming the image there when its manifest differs from the stored one.
Reference attach_destination(std::string_view text) {
  std::string_view rest = text;
  if (rest.starts_with("docker://")) rest.remove_prefix(9);
  auto ref = Reference::try_parse(rest);
  if (!ref || !has_explicit_domain(rest)) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("--attach {:?}: expected a registry repository (docker://HOST/REPOSITORY)",
                     text));
  }
  return *ref;
}

// Where to look for the image in the destination: what --attach named, else the image's
// manifest digests (newest first) and the tags of its names.
std::vector<std::string> subject_candidates(const Reference& dest, const store::ImageInfo& image) {
  if (dest.digest) return {dest.digest->str()};
  if (!dest.tag.empty()) return {dest.tag};
  std::vector<std::string> out;
  auto add = [&out](std::string text) {
    if (std::find(out.begin(), out.end(), text) == out.end()) out.push_back(std::move(text));
  };
  for (const auto& digest : image.digests) add(digest.str());
  add(image.manifest_digest.str());
  for (const auto& name : image.names) {
    if (auto ref = Reference::try_parse(name); ref && !ref->tag.empty()) add(ref->tag);
  }
  return out;
}

}  // namespace

int cmd_image_sbom(Context& ctx, ImageSbomOptions& parsed, Invocation& invocation) {
  auto& [format, output, attach, registry_flags] = parsed;
  const FlagSet& flags = invocation.flags;
  auto& names = invocation.positional;
  sbom::Format chosen = parse_format(format);
  std::string created = creation_time();
  std::optional<Reference> destination;
  registry::RegistryOptions registry_options;
  if (!attach.empty()) {
    destination = attach_destination(attach);
    registry_flags.check_authfile();
    registry_options = registry_flags.options(flags);  // a bad --creds fails before any work
  }
  // docker://REF: read from the registry, layers streamed, nothing stored.
  std::optional<registry::RegistryClient> remote_client;
  std::optional<sbom::RemoteImage> remote;
  std::optional<store::ImageInfo> image;
  std::optional<Digest> found;  // the image's config digest (its ID)
  std::vector<sbom::LayerInput> layers;
  if (names[0].starts_with("docker://")) {
    Reference ref = copy::parse_docker_name(names[0].substr(9));
    registry_flags.check_authfile();
    copy::TransferOptions transfer;
    transfer.registry = registry_flags.options(flags);
    remote_client.emplace(ref.domain,
                          copy::endpoint_options(ref, registry::RegistriesConf::load(), transfer));
    remote = sbom::remote_image(*remote_client, ref);
    found = remote->config_digest;
    layers = std::move(remote->layers);
  } else {
    store::Store& store = ctx.store();
    found = store::resolve_image(store, names[0]);
    image = store.image(*found);
    if (!image) fail(ErrorKind::kNotFound, fmt::format("{}: image not known", names[0]));
    for (auto& layer : containers::layer_sources(store, *found)) {
      layers.push_back({"layer " + layer.diff_id.str(), std::move(layer.open_uncompressed)});
    }
  }
  const Digest id = *found;
  sbom::Inventory inventory = sbom::take_inventory(layers);
  for (const auto& path : inventory.databases) {
    fmt::print(stderr, "sbom: package database read: {}\n", path);
  }
  for (const auto& path : inventory.unread) {
    fmt::print(stderr, "sbom: package database found but not read: {}\n", path);
  }
  if (inventory.databases.empty() && inventory.unread.empty()) {
    fmt::print(stderr, "sbom: no package database found in {}\n", names[0]);
  }

  sbom::ImageSubject subject;
  if (remote) {
    subject.name = names[0].substr(9);
    subject.repository = repository_of(subject.name);
    subject.manifest_digest = remote->manifest_digest.str();
  } else {
    auto name = store::find_name(ctx.store(), id, names[0]);
    if (!name && !image->names.empty()) name = image->names.front();
    subject.name = name ? *name : id.str();
    subject.repository = name ? repository_of(*name) : "";
    subject.manifest_digest = image->manifest_digest.str();
  }
  subject.config_digest = id.str();
  sbom::DocumentStamp stamp{.created = created,
                            .uuid = sbom::random_uuid(),
                            .tool = std::string("schicht-") + SCHICHT_VERSION};
  std::string document = chosen == sbom::Format::kSpdxJson
                             ? sbom::spdx_json(inventory, subject, stamp)
                             : sbom::cyclonedx_json(inventory, subject, stamp);
  if (output.empty() || output == "-") {
    fmt::print("{}", document);
  } else {
    write_file_atomic(output, document);
  }
  if (destination) {
    registry::RegistryClient client(destination->domain, registry_options);
    std::vector<std::string> candidates =
        image ? subject_candidates(*destination, *image)
              : std::vector<std::string>{destination->digest         ? destination->digest->str()
                                         : !destination->tag.empty() ? destination->tag
                                                                     : subject.manifest_digest};
    Descriptor referred = sbom::find_subject(client, destination->path, candidates, id);
    std::string title = chosen == sbom::Format::kSpdxJson ? "sbom.spdx.json" : "sbom.cdx.json";
    Digest attached = artifacts::attach_referrer(
        client, destination->path, referred, sbom::media_type(chosen),
        {artifacts::ReferrerBlob{.media_type = std::string(sbom::media_type(chosen)),
                                 .bytes = document,
                                 .annotations = {{"org.opencontainers.image.title", title}}}},
        {{"org.opencontainers.image.created", created}});
    fmt::print(stderr, "sbom: attached to {}@{} as {}\n", destination->name(),
               referred.digest.str(), attached.str());
  }
  return 0;
}

}  // namespace schicht::cli
