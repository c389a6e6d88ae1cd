// An image of the store as a copy engine source, named as push and save name it: by image ID
// (resolved by the command, as podman resolves it) instead of a containers-storage: name.
//
// The top manifest is one of the image's manifests, byte-exact as stored; or, for save
// --multi-arch all|index-only, a stored manifest list, byte-exact (its digest unchanged), whose
// instances are read from the images stored under their digests. Blobs come from the blob store.
// Nothing in the store changes.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "copy/image_source.h"
#include "core/digest.h"
#include "store/store.h"

namespace schicht::copy {

struct StoredImage {
  Digest id;
  // The manifest copied: one of the image's digests (one image may be stored under several,
  // e.g. an entry of a list and a pull by tag). Nullopt: the image's own.
  std::optional<Digest> manifest;
  // A stored list (store/lists.h) copied instead of the image; its media type as stored.
  std::optional<Digest> list;
  std::string list_media_type;
  // The repository of the destination's registry a docker:// destination may mount blobs from.
  std::optional<RegistryRepository> mount_from;
  std::string name;  // as messages name the source
};

// kNotFound when the image is not in the store (when its manifest is first asked for), or an
// instance of the list is not.
std::unique_ptr<ImageSource> stored_image_source(store::Store& store, StoredImage image);

}  // namespace schicht::copy
