// copy_image: an image from one transport to another, as `skopeo copy` moves it. The source's
// policy is evaluated before anything of it is read; blobs the destination has (or can mount)
// are not moved; manifests go byte-exact, so digests stay what the source says.
//
// Transports: docker://, oci:DIR[:REF], oci-archive:, docker-archive:, dir: and
// containers-storage:NAME (the local store), either side.
#pragma once

#include <functional>

#include "copy/image_destination.h"
#include "copy/image_source.h"
#include "copy/options.h"
#include "registry/registries_conf.h"
#include "store/store.h"
#include "transport/transport_name.h"
#include "trust/policy.h"

namespace schicht::copy {

enum class MultiArch {
  kSystem,     // an index gives the instance for this machine, copied on its own
  kAll,        // every instance, then the index
  kIndexOnly,  // the index alone (the destination must accept one)
};

// "system", "all", "index-only"; kInvalidInput otherwise.
MultiArch parse_multi_arch(std::string_view text);

struct CopyOptions {
  MultiArch multi_arch = MultiArch::kSystem;
  // Fail instead of copying what would get another digest.
  bool preserve_digests = false;
  // jobs and report; `registry` is unused (the two sides have their own).
  TransferOptions transfer;
  registry::RegistryOptions source_registry;
  registry::RegistryOptions destination_registry;
  // MultiArch::kAll: an instance for which this returns false is not copied (the list, copied
  // byte-exact, still names it). Null: every instance.
  std::function<bool(const Descriptor& instance)> copies_instance;
  // The local store, opened when a side is containers-storage: (and only then).
  std::function<store::Store&()> store;
};

// `policy` is null only for --insecure-policy. kPolicy when it rejects the source (nothing
// read); kUnsupported for a transport this engine does not handle yet, or a manifest type the
// destination cannot store without changing it.
void copy_image(const trust::Policy* policy, const transport::TransportRef& source,
                const transport::TransportRef& destination, const registry::RegistriesConf& conf,
                const CopyOptions& options);

// The engine itself, for callers that open their own source and destination (the policy is
// theirs to check): the image `source` names, whatever it is, as copy_image copies it.
void copy_between(ImageSource& source, ImageDestination& destination, const CopyOptions& options);

// Only an image manifest: kUnsupported for an index or list.
void copy_one_image(ImageSource& source, ImageDestination& destination, const CopyOptions& options);

}  // namespace schicht::copy
