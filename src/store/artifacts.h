// OCI artifacts under names (schema.h, version 7): what `artifact add` and `artifact pull`
// record. An artifact is a manifest blob plus the blobs it names (config, layers); every one
// of them is a GC root while the artifact exists, and removing the artifact frees those no
// image, list or other artifact references. Artifact names are their own namespace, apart
// from image names (podman 5 keeps artifacts apart from images: `images` lists none).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/digest.h"
#include "store/image_writer.h"
#include "store/store.h"

namespace schicht::store {

struct ArtifactInfo {
  std::string name;   // normalized, "host/path:tag"
  Digest manifest;    // of the stored manifest blob
  int64_t added = 0;  // unix ns
};

// A blob an artifact names, for its blobs row.
struct ArtifactBlob {
  Digest digest;
  uint64_t size = 0;
  std::string media_type;
};

std::optional<ArtifactInfo> artifact_by_name(Store& store, const std::string& name);
// Artifacts whose manifest digest hex starts with `hex_prefix`.
std::vector<ArtifactInfo> artifacts_with_digest_prefix(Store& store, std::string_view hex_prefix);
std::vector<ArtifactInfo> artifacts(Store& store);

// Records `name` -> the manifest `blobs.front()` (whose blobs, all durable and protected by
// `writer`, are `blobs`: manifest first) in one transaction, then commits the writer. When
// `expected` differs from what the name denotes now (another process changed it), kConflict
// and nothing changes. An artifact the name denoted before is replaced; its blobs that nothing
// else references go.
void put_artifact(Store& store, ImageWriter& writer, const std::string& name,
                  const std::vector<ArtifactBlob>& blobs, const std::optional<Digest>& expected);

// `system check --recover` (transport/recover.h), which holds gc.lock exclusively so that no
// blob can vanish: records `name` -> the manifest `blobs.front()` whose blobs are all in the
// blob store, without a writer. kConflict when the name exists.
void recover_artifact(Store& store, const std::string& name,
                      const std::vector<ArtifactBlob>& blobs);

// `system check --recover`: removes the rows of each artifact one of whose blobs is missing or
// the wrong size; its blobs stay (unreferenced now: `system check --repair` decides on them).
// Returns "<name>: <what is wrong>" for each removed.
std::vector<std::string> remove_artifact_rows_without_blobs(Store& store);

// Removes the artifact `name` and the blobs only it referenced; false when there is none.
bool remove_artifact(Store& store, const std::string& name);

// Every blob some artifact references, each once, and their bytes (system df).
struct ArtifactTotals {
  uint64_t artifacts = 0;
  uint64_t bytes = 0;
  uint64_t reclaimable = 0;  // of those, bytes no image or list references
};
ArtifactTotals artifact_totals(Store& store);

}  // namespace schicht::store
