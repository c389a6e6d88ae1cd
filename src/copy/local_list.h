// A manifest list of the store as one copy engine source, as `manifest push` copies it: the
// list in the form it is pushed in, each instance from the image stored under its digest, or,
// for an instance added from a registry and never pulled (`manifest add docker://…`), from the
// repository it was added from (store/lists.h's ListSources). Blobs come from the blob store,
// else from the repository of the instance that names them (mounted when the destination is
// on the same registry). Nothing in the store changes.
#pragma once

#include <memory>
#include <string>

#include "copy/image_source.h"
#include "copy/options.h"
#include "registry/registries_conf.h"
#include "store/lists.h"
#include "store/store.h"

namespace schicht::copy {

struct LocalList {
  std::string bytes;  // the list as pushed (store/lists.h's list_bytes)
  std::string media_type;
  store::ListSources sources;
  std::string name;  // as messages name the source
};

// Every instance is resolved before this returns: one neither stored nor added from a registry
// fails with kNotFound (podman's words), before anything is read or written. `options` are
// those of the registries instances are read from.
std::unique_ptr<ImageSource> local_list_source(store::Store& store, LocalList list,
                                               const registry::RegistriesConf& conf,
                                               const TransferOptions& options);

}  // namespace schicht::copy
