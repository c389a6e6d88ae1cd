// image sbom: a software bill of materials of an image's packages (SPDX 2.3 or CycloneDX 1.5
// JSON), from the package databases in its layers (sbom/), optionally attached to the image in
// a registry as an OCI 1.1 referrer (artifacts/remote.h).
#include <fmt/format.h>

#include "artifacts/remote.h"
#include "cli/commands.h"
#include "cli/registry_flags.h"
#include "containers/containers.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/reference.h"
#include "sbom/document.h"
#include "sbom/inventory.h"
#include "sbom/request.h"
#include "sbom/subject.h"
#include "store/lookup.h"

namespace schicht::cli {

namespace {

// The packages of the image's layers, each database read (or not) told on stderr.
sbom::Inventory image_inventory(store::Store& store, const Digest& id, const std::string& name) {
  std::vector<sbom::LayerInput> layers;
  for (auto& layer : containers::layer_sources(store, id)) {
    layers.push_back({"layer " + layer.diff_id.str(), std::move(layer.open_uncompressed)});
  }
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

// The image as the document names it: the name it was asked by, else its first name.
sbom::ImageSubject image_subject(store::Store& store, const Digest& id,
                                 const store::ImageInfo& image, const std::string& asked) {
  sbom::ImageSubject subject;
  auto name = store::find_name(store, id, asked);
  if (!name && !image.names.empty()) name = image.names.front();
  subject.name = name ? *name : id.str();
  subject.repository = name ? sbom::repository_of(*name) : "";
  subject.manifest_digest = image.manifest_digest.str();
  subject.config_digest = id.str();
  return subject;
}

// --attach: the document as a referrer of the image's manifest in `destination`.
void attach_document(const Reference& destination, const registry::RegistryOptions& options,
                     const store::ImageInfo& image, const Digest& id, sbom::Format format,
                     const std::string& document, const std::string& created) {
  registry::RegistryClient client(destination.domain, options);
  Descriptor referred = sbom::find_subject(
      client, destination.path,
      sbom::subject_candidates(destination, image.digests, image.manifest_digest, image.names), id);
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

int cmd_image_sbom(Context& ctx, CommandArgs args) {
  FlagSet flags;
  std::string format = "spdx-json";
  std::string output;
  flags.add_string("format", 0, &format, "Document format (spdx-json, cyclonedx-json)");
  flags.add_string("output", 'o', &output, "Write the document to a file instead of stdout");
  std::string attach;
  flags.add_string("attach", 0, &attach,
                   "Push the document to a registry repository as a referrer of the image");
  RegistryFlags registry_flags;
  registry_flags.add(flags);
  bool help = false;
  auto names = parse_command_flags(ctx, flags, args, "schicht image sbom [options] IMAGE", &help);
  if (help) return 0;
  if (names.size() != 1) {
    fail(ErrorKind::kInvalidInput, fmt::format("accepts 1 arg(s), received {}", names.size()));
  }
  sbom::Format chosen = sbom::parse_format(format);
  std::string created = sbom::creation_time();
  std::optional<Reference> destination;
  registry::RegistryOptions registry_options;
  if (!attach.empty()) {
    destination = sbom::attach_destination(attach);
    registry_flags.check_authfile();
    registry_options = registry_flags.options(flags);  // a bad --creds fails before any work
  }
  store::Store& store = ctx.store();
  Digest id = store::resolve_image(store, names[0]);
  auto image = store.image(id);
  if (!image) fail(ErrorKind::kNotFound, fmt::format("{}: image not known", names[0]));
  sbom::Inventory inventory = image_inventory(store, id, names[0]);
  sbom::DocumentStamp stamp{.created = created,
                            .uuid = sbom::random_uuid(),
                            .tool = std::string("schicht-") + SCHICHT_VERSION};
  std::string document =
      sbom::render_document(chosen, inventory, image_subject(store, id, *image, names[0]), stamp);
  if (output.empty() || output == "-") {
    fmt::print("{}", document);
  } else {
    write_file_atomic(output, document);
  }
  if (destination) {
    attach_document(*destination, registry_options, *image, id, chosen, document, created);
  }
  return 0;
}

}  // namespace schicht::cli
