// What the store copies from an image's config into its rows: the platform and the labels,
// so that listings and filters need not read the config blob. Every way in (load, import,
// pull, build) records them the same way.
#pragma once

#include "oci/config.h"
#include "store/store.h"

namespace schicht::store {

// Sets `image`'s os, architecture, variant and labels_json from `config`.
void take_config_facts(NewImage& image, const ImageConfig& config);

}  // namespace schicht::store
