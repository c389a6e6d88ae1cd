// The JSON documents podman prints for an image: `inspect` and the `history` rows. Built from
// the store's rows plus the config blob (the only blob these commands read).
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "core/digest.h"
#include "store/store.h"

namespace schicht {
struct ImageConfig;
}

namespace schicht::cli {

// podman's ImageData, field for field and in its order.
nlohmann::ordered_json inspect_json(store::Store& store, const Digest& id);

// The image's config, parsed (kIntegrity when the blob is missing or damaged).
ImageConfig load_config(store::Store& store, const Digest& id);

// "repo@digest" for every repository the image is named in and every manifest digest it has.
std::vector<std::string> repo_digests(const store::ImageInfo& image);

}  // namespace schicht::cli
