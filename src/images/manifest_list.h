// Manifest lists in the store: reading and storing a list's entries (list_lookup.h
// finds the list), and podman's JSON for `manifest inspect`.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "images/list_lookup.h"
#include "oci/index.h"
#include "store/lists.h"

namespace schicht::images {

// The stored list parsed (entries, annotations).
Index read_list(store::Store& store, const store::ListInfo& list);

// Stores edited entries and annotations under `name` as an OCI index blob (it keeps every
// field); `format` is what the list is shown and pushed as. Returns the new list digest.
// `read` is the list digest the edit started from (nullopt: a new list); kConflict when
// another process changed the list meanwhile. The `sources` of entries still in the list are
// kept with it.
Digest write_list(store::Store& store, const std::string& name, const Index& index,
                  std::string_view format, const std::optional<Digest>& read,
                  const store::ListSources& sources);

// The list entry of a stored image: its manifest as stored, its platform from its config.
// `shown` is how errors name the image.
Descriptor local_list_entry(store::Store& store, const Digest& id, std::string_view shown);

// Adds an entry to an index; one with the same digest goes first, so the entry moves to the
// end (podman).
void upsert_entry(Index& index, Descriptor entry);

// Adds `entry` to the list `text` names, creating it (a Docker manifest list, podman's default)
// when there is none, as `build --manifest` does. Returns the new list digest.
Digest add_to_list(store::Store& store, std::string_view text, Descriptor entry);

// The bytes to push for `list` in media type `format`: the stored bytes when they already are
// of that type, else the entries re-serialized.
std::string list_bytes(store::Store& store, const store::ListInfo& list, std::string_view format);

// podman 4.3's `manifest inspect` document for a local list shown as `format`.
nlohmann::ordered_json inspect_json(const Index& index, std::string_view format);

}  // namespace schicht::images
