#include "copy/push_list.h"

#include <fmt/format.h>

#include "copy/remote_copy.h"
#include "copy/signatures.h"
#include "copy/sigstore_signatures.h"
#include "core/error.h"

namespace schicht::copy {

Digest push_list(store::Store& store, std::string_view bytes, std::string_view media_type,
                 const std::vector<Descriptor>& entries, const store::ListSources& sources,
                 bool all, const Reference& destination, const registry::RegistriesConf& conf,
                 const PushOptions& options) {
  std::shared_ptr<const trust::RegistriesD> registries_d = options.registries_d;
  if (options.sigstore_key) require_sigstore_attachments(registries_d, destination);
  if (!options.sign_by.empty()) {
    if (!registries_d) registries_d = load_registries_d("");
    // Checked before anything is pushed: signatures must have somewhere to go.
    lookaside_write_dir(*registries_d, destination, Digest::sha256_of(bytes));
  }
  if (options.report) options.report("Getting image list signatures");
  registry::RegistryClient client(destination.domain, endpoint_options(destination, conf, options));
  // Instances and the list are all signed as the destination the user named: a pull of that
  // name verifies the instance it resolves to against it.
  std::string identity = destination.with_default_tag().str();
  PushOptions instance_options = options;
  instance_options.sigstore_key.reset();
  instance_options.sign_by.clear();
  auto sign = [&](const Digest& digest) {
    if (!options.sign_by.empty()) {
      if (options.report) options.report("Signing manifest using simple signing");
      std::string signature = sign_simple(destination, digest, options.sign_by);
      write_lookaside_signature(lookaside_write_dir(*registries_d, destination, digest), signature);
    }
    if (options.sigstore_key) {
      if (options.report) options.report("Signing manifest using a sigstore signature");
      push_sigstore_signature(client, destination.path, digest, identity, *options.sigstore_key);
    }
  };
  if (all) {
    // Resolve every entry before uploading anything: a missing instance is a user error that
    // should not leave half a list's images in the registry.
    std::vector<std::optional<Digest>> ids;
    for (const Descriptor& entry : entries) {
      ids.push_back(store.image_by_manifest(entry.digest));
      if (!ids.back() && !sources.contains(entry.digest.str())) {
        fail(ErrorKind::kNotFound,
             fmt::format("pushing image {} of the list: image not known in local storage",
                         entry.digest.str()));
      }
    }
    if (options.report) {
      options.report(
          fmt::format("Copying {} of {} images in list", entries.size(), entries.size()));
    }
    for (size_t i = 0; i < entries.size(); ++i) {
      if (options.report) {
        options.report(fmt::format("Copying image {} ({}/{})", entries[i].digest.str(), i + 1,
                                   entries.size()));
      }
      Reference target = destination;
      target.tag.clear();
      target.digest = entries[i].digest;
      if (!ids[i]) {
        copy_remote_image(Reference::parse(sources.at(entries[i].digest.str())), entries[i].digest,
                          target, conf, instance_options);
        sign(entries[i].digest);
        continue;
      }
      Digest pushed = push_image(store, *ids[i], target, conf, instance_options);
      if (pushed != entries[i].digest) {
        fail(ErrorKind::kConflict,
             fmt::format("image {} pushed as {}, not as the list's entry {}", ids[i]->short_hex(),
                         pushed.str(), entries[i].digest.str()));
      }
      sign(pushed);
    }
  }
  if (options.report) options.report("Writing manifest list to image destination");
  std::string version = destination.digest        ? destination.digest->str()
                        : destination.tag.empty() ? std::string("latest")
                                                  : destination.tag;
  Digest pushed = client.put_manifest(destination.path, version, bytes, media_type);
  sign(pushed);
  if (options.report) options.report("Storing list signatures");
  return pushed;
}

}  // namespace schicht::copy
