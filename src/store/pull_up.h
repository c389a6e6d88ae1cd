// Pulling an image of an additional (read-only) image store up into the primary store, as
// containers/storage pulls one up when it must change it: here for `create`, whose container
// row names an image of the store it lives in.
#pragma once

#include "core/digest.h"
#include "store/store.h"

namespace schicht::store {

// Copies image `id` of `from` into `to` through an ImageWriter: its manifest, config and layer
// blobs (each verified as it is written, those `to` has skipped), then its rows, with those of
// its names that no image of `to` has (the primary store's names stay where they are). A
// failure leaves `to` as it was; `from` is only read. kNotFound when `from` lacks the image or
// one of its blobs.
void pull_up_image(Store& to, Store& from, const Digest& id);

}  // namespace schicht::store
