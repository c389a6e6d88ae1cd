// Pulling an image of an additional (read-only) image store up into the primary store, as
// containers/storage pulls one up when it must change it: for `create` (a container row names
// an image of its own store), `image mount`, `tag` and `untag`. Through the copy engine, the one
// way into the store: the image as a stored-image source of the additional store
// (stored_image.h) into the primary store's destination (storage_image.h), so its blobs are
// verified and written by one ImageWriter and its rows described from its manifest and config
// as for any other copy. No policy applies: the image is in a store already.
#pragma once

#include "core/digest.h"
#include "store/store.h"

namespace schicht::copy {

// Copies image `id` of `from` into `to`: its manifest, config and layers (those `to` has are
// not copied again), then its rows, with those of its names that no image of `to` has (the
// primary store's names stay where they are); tag log action "copy". A failure leaves `to` as
// it was; `from` is only read. kNotFound when `from` lacks the image or one of its blobs.
void pull_up_image(store::Store& to, store::Store& from, const Digest& id);

}  // namespace schicht::copy
