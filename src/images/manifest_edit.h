// The `manifest` commands' edits of a stored list, as podman 4.3 makes them: each reads the
// list, changes its entries and stores it back under its name (manifest_list.h), failing with
// kConflict when another process changed it meanwhile; nothing is written when an argument is
// wrong. Entries read from a registry are resolved by the caller (the copy module) and come in
// as `ListAdditions`.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/digest.h"
#include "oci/index.h"
#include "store/lists.h"
#include "store/store.h"

namespace schicht::images {

// What one IMAGE argument of `manifest create` or `add` puts into a list.
struct ListAdditions {
  std::vector<Descriptor> entries;
  store::ListSources sources;  // the repository of each entry read from a registry
  // Run once every argument is resolved, before the list is written: a list's instances live
  // in the list's store, so an image only an additional store has is copied into it here.
  std::function<void()> before_write;
};

// What an IMAGE argument adds; the caller reads registries.
using ResolveAdditions = std::function<ListAdditions(std::string_view image)>;

// The entry of the stored image `text` names ("containers-storage:" prefix allowed).
ListAdditions local_additions(store::Store& store, std::string_view text);

// KEY=VALUE annotations (kInvalidInput "no value given for annotation" without '=').
std::map<std::string, std::string> parse_annotations(const std::vector<std::string>& given);

// manifest create NAME IMAGE...: a new Docker manifest list, or with `amend` the existing one,
// with each image's entries upserted in order and the KEY=VALUE `annotations` set on the list.
// kConflict when the name is a list already and `amend` is false. Every image is resolved
// before anything is written. Returns the new list digest.
Digest create_list(store::Store& store, const std::string& name, bool amend,
                   const std::vector<std::string>& images, const ResolveAdditions& resolve,
                   const std::vector<std::string>& annotations);

// manifest add LIST IMAGE: the image's entries, each changed by `edit` first, upserted at the
// end.
Digest add_entries(store::Store& store, const store::ListInfo& list, std::string_view image,
                   const ResolveAdditions& resolve, const std::function<void(Descriptor&)>& edit);

// manifest annotate LIST DIGEST: `edit` applied to the entry with that digest (kNotFound
// when there is none, kInvalidInput when DIGEST is not one).
Digest annotate_entry(store::Store& store, const store::ListInfo& list, const std::string& digest,
                      const std::function<void(Descriptor&)>& edit);

// manifest remove LIST DIGEST: the entry goes (kNotFound naming `shown` when there is none).
Digest remove_entry(store::Store& store, const store::ListInfo& list, const std::string& digest,
                    std::string_view shown);

// What manifest push sends: the list's bytes in the media type asked for (empty: the type it
// came as; podman 4.3 pushes a list it built as an OCI index), and its entries.
struct ListToPush {
  std::string media_type;
  std::string bytes;
  Index index;
};
ListToPush list_to_push(store::Store& store, const store::ListInfo& list, std::string media_type);

}  // namespace schicht::images
