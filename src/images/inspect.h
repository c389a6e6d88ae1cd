// What podman shows of one stored image: `image inspect`'s document (podman's ImageData) and
// `history`'s rows. Built from the store's rows plus the config blob (and an OCI manifest for
// its annotations): the only blobs these read. Rendering (tables, --format) is the caller's.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/digest.h"
#include "oci/config.h"
#include "store/store.h"

namespace schicht::images {

// The image's config, parsed; kIntegrity when the blob is missing or does not match `id`.
ImageConfig image_config(store::Store& store, const Digest& id);

// The names that carry a tag (podman's RepoTags): a name recorded by a pull by digest has none.
std::vector<std::string> repo_tags(const store::ImageInfo& image);

// "repo@digest" for every repository the image is named in and every manifest digest it has,
// each once, in the order of the names, then the digests.
std::vector<std::string> repo_digests(const store::ImageInfo& image);

// podman's ImageData, field for field and in its order, as Go's encoding/json writes it
// (omitempty where podman has it). kNotFound when `id` is not an image of `store`.
nlohmann::ordered_json inspect_json(store::Store& store, const Digest& id);

// One row of `history`: a config history entry with the layer it made.
struct HistoryRow {
  std::string id;          // the image's ID (hex) on the top entry, "<missing>" on the others
  bool top = false;        // the newest entry, the one carrying the image's ID
  std::string created;     // the entry's RFC 3339 text as the config has it ("" when none)
  int64_t created_ns = 0;  // the same as nanoseconds since the epoch (0 when none)
  std::string created_by;  // untruncated
  std::string comment;
  uint64_t size = 0;  // the uncompressed size of the layer the entry made (0: an empty layer)
};

// The history of an image, newest entry first, as podman lists it: each entry not marked
// empty_layer takes the next layer from the top (none left: 0 bytes).
std::vector<HistoryRow> history_rows(store::Store& store, const Digest& id);

// `history --format json` as podman prints it: compact, unlike every other command, with Go's
// escapes of <, > and &; without a trailing newline.
std::string history_json(const std::vector<HistoryRow>& history);

}  // namespace schicht::images
