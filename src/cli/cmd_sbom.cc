// image sbom: a software bill of materials of an image's packages (SPDX 2.3 or CycloneDX 1.5
// JSON), from the package databases in its layers (sbom/), optionally attached to the image in
// a registry as an OCI 1.1 referrer (artifacts/remote.h).
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
#include "sbom/request.h"
#include "sbom/subject.h"
#include "store/lookup.h"

namespace schicht::cli {

namespace {

// The packages of `layers`, each database read (or not) told on stderr.
sbom::Inventory inventory_of(const std::vector<sbom::LayerInput>& layers, const std::string& name) {
  sbom::Inventory inventory = sbom::take_inventory(layers);
  for (const auto& path : inventory.databases) {
    fmt::print(stderr, "sbom: package database read: {}\n", path);
  }
  for (const auto& path : inventory.unread) {
    fmt::print(stderr, "sbom: package database found but not read: {}\n", path);
  }
  if (inventory.databases.empty() && inventory.unread.empty()) {
    fmt::print(stderr, "sbom: no package database found in {}\n", name);
  }
  return inventory;
}

// What the document is of, and where --attach looks for it in the destination.
struct Subject {
  sbom::ImageSubject subject;
  Digest id;
  std::vector<std::string> candidates;
};

// A stored image, named as it was asked for, else by its first name.
Subject stored_subject(store::Store& store, const std::string& asked,
                       const std::optional<Reference>& destination, sbom::Inventory& inventory) {
  Digest id = store::resolve_image(store, asked);
  auto image = store.image(id);
  if (!image) fail(ErrorKind::kNotFound, fmt::format("{}: image not known", asked));
  std::vector<sbom::LayerInput> layers;
  for (auto& layer : containers::layer_sources(store, id)) {
    layers.push_back({"layer " + layer.diff_id.str(), std::move(layer.open_uncompressed)});
  }
  inventory = inventory_of(layers, asked);
  Subject out{.subject = {}, .id = id, .candidates = {}};
  auto name = store::find_name(store, id, asked);
  if (!name && !image->names.empty()) name = image->names.front();
  out.subject.name = name ? *name : id.str();
  out.subject.repository = name ? sbom::repository_of(*name) : "";
  out.subject.manifest_digest = image->manifest_digest.str();
  out.subject.config_digest = id.str();
  if (destination) {
    out.candidates = sbom::subject_candidates(*destination, image->digests, image->manifest_digest,
                                              image->names);
  }
  return out;
}

// docker://REF: read from the registry, its layers streamed, nothing stored.
Subject remote_subject(const std::string& asked, const registry::RegistryOptions& options,
                       const std::optional<Reference>& destination, sbom::Inventory& inventory) {
  Reference ref = copy::parse_docker_name(asked.substr(9));
  copy::TransferOptions transfer;
  transfer.registry = options;
  registry::RegistryClient client(
      ref.domain, copy::endpoint_options(ref, registry::RegistriesConf::load(), transfer));
  sbom::RemoteImage remote = sbom::remote_image(client, ref);
  inventory = inventory_of(remote.layers, asked);
  Subject out{.subject = {}, .id = remote.config_digest, .candidates = {}};
  out.subject.name = asked.substr(9);
  out.subject.repository = sbom::repository_of(out.subject.name);
  out.subject.manifest_digest = remote.manifest_digest.str();
  out.subject.config_digest = remote.config_digest.str();
  if (destination) {
    out.candidates = {destination->digest         ? destination->digest->str()
                      : !destination->tag.empty() ? destination->tag
                                                  : out.subject.manifest_digest};
  }
  return out;
}

// --attach: the document as a referrer of the image's manifest in `destination`.
void attach_document(const Reference& destination, const registry::RegistryOptions& options,
                     const Subject& subject, sbom::Format format, const std::string& document,
                     const std::string& created) {
  registry::RegistryClient client(destination.domain, options);
  Descriptor referred =
      sbom::find_subject(client, destination.path, subject.candidates, subject.id);
  Digest attached = artifacts::attach_referrer(
      client, destination.path, referred, sbom::media_type(format),
      {artifacts::ReferrerBlob{.media_type = std::string(sbom::media_type(format)),
                               .bytes = document,
                               .annotations = {{"org.opencontainers.image.title",
                                                std::string(sbom::document_title(format))}}}},
      {{"org.opencontainers.image.created", created}});
  fmt::print(stderr, "sbom: attached to {}@{} as {}\n", destination.name(), referred.digest.str(),
             attached.str());
}

}  // namespace

int cmd_image_sbom(Context& ctx, ImageSbomOptions& parsed, Invocation& invocation) {
  auto& [format, output, attach, registry_flags] = parsed;
  const FlagSet& flags = invocation.flags;
  auto& names = invocation.positional;
  sbom::Format chosen = sbom::parse_format(format);
  std::string created = sbom::creation_time();
  std::optional<Reference> destination;
  if (!attach.empty()) destination = sbom::attach_destination(attach);
  const bool remote = names[0].starts_with("docker://");
  registry::RegistryOptions registry_options;
  if (destination || remote) {
    registry_flags.check_authfile();
    registry_options = registry_flags.options(flags);  // a bad --creds fails before any work
  }
  sbom::Inventory inventory;
  Subject subject = remote ? remote_subject(names[0], registry_options, destination, inventory)
                           : stored_subject(ctx.store(), names[0], destination, inventory);
  sbom::DocumentStamp stamp{.created = created,
                            .uuid = sbom::random_uuid(),
                            .tool = std::string("schicht-") + SCHICHT_VERSION};
  std::string document = sbom::render_document(chosen, inventory, subject.subject, stamp);
  if (output.empty() || output == "-") {
    fmt::print("{}", document);
  } else {
    write_file_atomic(output, document);
  }
  if (destination) {
    attach_document(*destination, registry_options, subject, chosen, document, created);
  }
  return 0;
}

}  // namespace schicht::cli
