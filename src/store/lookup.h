// Finding an image the way podman does from what a user typed: a full or short image ID
// (with or without "sha256:"), a name (a short name matches localhost/, docker.io/library/
// and any registry's repository ending in it), or name@digest / a manifest digest.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/digest.h"
#include "store/store.h"

namespace schicht::store {

// nullopt when nothing matches; kConflict for an ambiguous ID prefix.
std::optional<Digest> find_image(Store& store, std::string_view text);

// Like find_image, but kNotFound with podman's "<text>: image not known".
Digest resolve_image(Store& store, std::string_view text);

// The stored name of image `id` that `text` denotes ("app" → "localhost/app:latest" or
// "docker.io/library/app:latest"), or nullopt when `text` names none of its names.
std::optional<std::string> find_name(Store& store, const Digest& id, std::string_view text);

}  // namespace schicht::store
