// `image rollback` (beyond podman): a name pointed back at the image it named before its last
// move, from the tag log (store.h's tag_log). `image tag-log` reads that log directly.
#pragma once

#include <string>
#include <string_view>

#include "core/digest.h"
#include "store/store.h"

namespace schicht::images {

// A name as the store keeps it (normalized, ":latest" when untagged); kInvalidInput, naming it,
// when it is not a reference.
std::string stored_name(std::string_view text);

// Points `name` (a stored_name) back at the image it named before its last move, recorded as a
// "rollback", and returns that image. kNotFound, saying why, when the name has no history, named
// nothing before, or that image is gone; the store is then unchanged.
Digest rollback_name(store::Store& store, const std::string& name);

}  // namespace schicht::images
