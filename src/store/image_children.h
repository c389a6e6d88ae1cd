// Whether an image has a child, as podman's layer tree decides it (libimage areParentAndChild):
// another image whose layers start with all of this image's layers and add at most one, and
// whose history is this image's plus exactly one entry. An untagged image with a child is
// "intermediate" (a build step's commit), one without is "dangling".
#pragma once

#include "store/store.h"

namespace schicht::store {

// Reads the configs of the images on the same base layer only. An image without layers has
// no child here (podman compares it with other layerless images only; none is a child of
// another unless both are built from scratch, which schicht's build does not commit apart).
bool has_child_image(Store& store, const Digest& id);

}  // namespace schicht::store
