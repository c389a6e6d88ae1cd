// pull: images from a registry into the store, as podman pull does.
//
// Call order inside pull_image: the policy check for the reference as given (trust/), before
// anything is fetched; then per endpoint (mirrors first): the manifest (an index or manifest
// list resolves to the instance for the wanted platform), then one engine copy of that manifest
// through the engine's entry (copy_image.h: copy_admitted from a docker source into the store
// destination, storage_image.h), whose admission repeats the policy check and, when the policy
// asks for signatures, checks them for that manifest (pull_trust.h) before any blob moves: the
// layers the store lacks in parallel, then config, manifest and one Store::add_image. Blobs the
// store has are not fetched. On any failure the blobs the copy created are discarded: the store is
// as it was. With all_platforms, a list goes in whole instead (copy_between, MultiArch::kAll).
//
// Progress lines go to options.report in podman's words; errors read like podman's
// ("initializing source docker://…: reading manifest …: manifest unknown").
// Not thread-safe: one pull per Store at a time (it runs its own threads inside).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "copy/options.h"
#include "core/digest.h"
#include "core/platform.h"
#include "core/reference.h"
#include "oci/manifest.h"
#include "registry/registries_conf.h"
#include "registry/registry_client.h"
#include "store/store.h"
#include "trust/policy.h"
#include "trust/registries_d.h"

namespace schicht::copy {

struct PullOptions : TransferOptions {
  PlatformChoice platform;  // --os/--arch/--variant; empty fields: this machine's
  // --all-platforms: a list goes in whole (every instance, then the list); `platform` picks
  // the instance the name itself denotes.
  bool all_platforms = false;
  // Evaluated for each reference before anything is fetched. Null only for --insecure-policy.
  std::shared_ptr<const trust::Policy> policy;
  // Where signatures are looked for (copy/signatures.h); null: registries_d_dir's lookup.
  std::shared_ptr<const trust::RegistriesD> registries_d;
  // --unpack: each layer is also extracted as its snapshot while it streams in, so that a
  // container made from the image starts from extracted layers (storage_image.h).
  bool unpack = false;
};

struct PulledImage {
  Digest id;
  Digest manifest_digest;  // of the image's own manifest (an index's instance)
  std::string name;        // as stored: "host/repo:tag", or "host/repo@sha256:…" for a digest
};

// Pulls one normalized reference (with a tag or a digest) from the endpoints registries.conf
// gives for it (mirrors first). Prints "Trying to pull REF...".
PulledImage pull_image(store::Store& store, const Reference& reference,
                       const registry::RegistriesConf& conf, const PullOptions& options);

// The manifest pull_image would store for `reference`: the image's own, or the instance an
// index has for `platform`. Nothing is stored.
Manifest fetch_image_manifest(registry::RegistryClient& client, const Reference& reference,
                              const PlatformChoice& platform);

// What `pull TEXT` does: resolves TEXT (short_names.h), prints how, and pulls the first
// candidate that works. When every candidate fails, one error lists them all, as podman's
// "N errors occurred while pulling" does.
PulledImage pull(store::Store& store, std::string_view text, const registry::RegistriesConf& conf,
                 const registry::RegistriesConfSources& sources, const PullOptions& options);

// `pull --all-tags TEXT`: every tag of the repository (a tag or digest in TEXT is ignored).
std::vector<PulledImage> pull_all_tags(store::Store& store, std::string_view text,
                                       const registry::RegistriesConf& conf,
                                       const registry::RegistriesConfSources& sources,
                                       const PullOptions& options);

}  // namespace schicht::copy
