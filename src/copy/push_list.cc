#include "copy/push_list.h"

#include <fmt/format.h>

#include "core/error.h"

namespace schicht::copy {

Digest push_list(store::Store& store, std::string_view bytes, std::string_view media_type,
                 const std::vector<Descriptor>& entries, bool all, const Reference& destination,
                 const registry::RegistriesConf& conf, const PushOptions& options) {
  if (all) {
    // Resolve every entry before uploading anything: a missing instance is a user error that
    // should not leave half a list's images in the registry.
    std::vector<Digest> ids;
    for (const Descriptor& entry : entries) {
      std::optional<Digest> id = store.image_by_manifest(entry.digest);
      if (!id) {
        fail(ErrorKind::kNotFound,
             fmt::format("pushing image {} of the list: image not known in local storage",
                         entry.digest.str()));
      }
      ids.push_back(*id);
    }
    for (size_t i = 0; i < entries.size(); ++i) {
      Reference target = destination;
      target.tag.clear();
      target.digest = entries[i].digest;
      Digest pushed = push_image(store, ids[i], target, conf, options);
      if (pushed != entries[i].digest) {
        fail(ErrorKind::kConflict,
             fmt::format("image {} pushed as {}, not as the list's entry {}", ids[i].short_hex(),
                         pushed.str(), entries[i].digest.str()));
      }
    }
  }
  registry::Endpoint endpoint = conf.endpoint(destination);
  if (endpoint.blocked) {
    fail(ErrorKind::kPolicy,
         fmt::format("registry {} is blocked in registries.conf", destination.domain));
  }
  registry::RegistryOptions registry_options = options.registry;
  registry_options.insecure = endpoint.insecure;
  registry::RegistryClient client(destination.domain, registry_options);
  if (options.report) options.report("Writing manifest list to image destination");
  std::string version = destination.digest        ? destination.digest->str()
                        : destination.tag.empty() ? std::string("latest")
                                                  : destination.tag;
  Digest pushed = client.put_manifest(destination.path, version, bytes, media_type);
  if (options.report) options.report("Storing list signatures");
  return pushed;
}

}  // namespace schicht::copy
