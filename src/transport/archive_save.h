// `save`: writes images from the store as podman's save formats.
//
// - docker-archive: containers/image's layout (<diffid>.tar layers, uncompressed;
//   <config-hex>.json; manifest.json and repositories last), one or several images.
// - oci-archive / oci-dir: an OCI image layout; layer blobs are written as stored (never
//   recompressed), so load -> save -> load keeps every blob byte-identical. An OCI manifest is
//   written byte-exact; a Docker schema 2 manifest is converted to OCI (umoci reads only OCI),
//   which changes the manifest digest but not the image ID.
// - docker-dir: the `dir:` transport (manifest.json, version, blobs by hex), byte-exact; with
//   `compress`, layers stored uncompressed are written gzipped and the manifest names them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/digest.h"
#include "core/fs.h"
#include "core/io.h"
#include "store/store.h"

namespace schicht::transport {

enum class SaveFormat { kDockerArchive, kOciArchive, kOciDir, kDockerDir };

// Parses podman's --format names; kInvalidInput for others.
SaveFormat parse_save_format(std::string_view name);
bool is_directory_format(SaveFormat format);

struct SaveItem {
  Digest id;
  std::vector<std::string> names;  // RepoTags (docker-archive) or the ref.name (OCI)
  // OCI formats: the stored manifest list or index to write instead of the image alone, with
  // every instance it names (all must be in the store), so that no platform is lost.
  std::optional<Digest> list;
};

// Archive formats write to `out`; directory formats into `dir` (created when missing).
void save_archive(store::Store& store, SaveFormat format, const std::vector<SaveItem>& items,
                  Writer& out);
void save_directory(store::Store& store, SaveFormat format, const SaveItem& item,
                    const fs::path& dir, bool compress = false);

}  // namespace schicht::transport
