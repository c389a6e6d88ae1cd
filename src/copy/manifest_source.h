// What `manifest add LIST docker://REF` adds: the entries a remote reference gives, read from
// the registry (manifests and configs only, no layers).
#pragma once

#include <vector>

#include "copy/options.h"
#include "core/platform.h"
#include "core/reference.h"
#include "oci/descriptor.h"
#include "registry/registries_conf.h"
#include "registry/registry_client.h"

namespace schicht::copy {

// The manifest `reference` names, as the registry sends it (digest verified).
registry::Manifest remote_manifest(const Reference& reference, const registry::RegistriesConf& conf,
                                   const TransferOptions& options);

// An image manifest gives one entry with its config's platform; an index or list gives every
// entry with `all`, else the one for `choice` (this machine's platform for empty fields);
// kNotFound when it has none for that platform.
std::vector<Descriptor> remote_entries(const Reference& reference,
                                       const registry::RegistriesConf& conf,
                                       const TransferOptions& options, bool all,
                                       const PlatformChoice& choice = {});

}  // namespace schicht::copy
