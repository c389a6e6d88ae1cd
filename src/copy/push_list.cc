#include "copy/push_list.h"

#include <fmt/format.h>

#include "copy/copy_image.h"
#include "copy/docker_image.h"
#include "copy/forwarding_destination.h"
#include "copy/local_list.h"
#include "copy/signatures.h"
#include "copy/sigstore_signatures.h"
#include "core/error.h"

namespace schicht::copy {
namespace {

// The registry destination, remembering the digests of the instances written: each is signed
// with the list once the copy is done.
class InstanceRecorder final : public ForwardingDestination {
 public:
  using ForwardingDestination::ForwardingDestination;
  void put_manifest(std::string_view bytes, std::string_view type, bool top) override {
    ForwardingDestination::put_manifest(bytes, type, top);
    if (!top) instances.push_back(Digest::sha256_of(bytes));
  }

  std::vector<Digest> instances;
};

}  // namespace

Digest push_list(store::Store& store, std::string_view name, std::string_view bytes,
                 std::string_view media_type, const store::ListSources& sources, bool all,
                 const Reference& destination, const registry::RegistriesConf& conf,
                 const PushOptions& options) {
  std::shared_ptr<const trust::RegistriesD> registries_d = options.registries_d;
  if (options.sigstore_key) require_sigstore_attachments(registries_d, destination);
  if (!options.sign_by.empty()) {
    if (!registries_d) registries_d = load_registries_d("");
    // Checked before anything is pushed: signatures must have somewhere to go.
    lookaside_write_dir(*registries_d, destination, Digest::sha256_of(bytes));
  }
  Reference target = destination.with_default_tag();
  // Every instance is resolved here, before anything is written.
  std::unique_ptr<ImageSource> source =
      local_list_source(store,
                        LocalList{.bytes = std::string(bytes),
                                  .media_type = std::string(media_type),
                                  .sources = sources,
                                  .name = std::string(name)},
                        conf, options);
  CopyOptions copy;
  copy.multi_arch = all ? MultiArch::kAll : MultiArch::kIndexOnly;
  copy.transfer = options;
  copy.transfer.registry = {};
  copy.source_registry = options.registry;
  copy.destination_registry = options.registry;
  copy.format = options.format;
  copy.retry_blobs = true;
  std::unique_ptr<ImageDestination> registry =
      docker_destination(target, endpoint_options(target, conf, options));
  InstanceRecorder written(*registry);
  Digest pushed = copy_between(*source, written, copy);

  // Instances and the list are all signed as the destination the user named: a pull of that
  // name verifies the instance it resolves to against it.
  std::vector<Digest> signed_digests = written.instances;
  signed_digests.push_back(pushed);
  if (!options.sign_by.empty() || options.sigstore_key) {
    registry::RegistryClient client(target.domain, endpoint_options(target, conf, options));
    for (const Digest& digest : signed_digests) {
      if (!options.sign_by.empty()) {
        if (options.report) options.report("Signing manifest using simple signing");
        std::string signature = sign_simple(destination, digest, options.sign_by);
        write_lookaside_signature(lookaside_write_dir(*registries_d, destination, digest),
                                  signature);
      }
      if (options.sigstore_key) {
        if (options.report) options.report("Signing manifest using a sigstore signature");
        push_sigstore_signature(client, target.path, digest, target.str(), *options.sigstore_key);
      }
    }
  }
  return pushed;
}

}  // namespace schicht::copy
