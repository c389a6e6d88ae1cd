// `load`: reads a docker-archive or an oci-archive (either may be compressed) and records its
// images in the store, with podman's names: docker-archive RepoTags and oci-archive ref.name
// annotations are normalized as podman normalizes local names (a bare name goes to
// localhost/, so Docker's "busybox:latest" loads as localhost/busybox:latest, as in podman).
//
// Identity matches podman's: image ID = config digest; an OCI image keeps its manifest bytes;
// a docker-archive image gets the Docker schema 2 manifest containers/image generates for it.
// Either the whole archive loads, or the store is left as it was.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/digest.h"
#include "core/io.h"
#include "store/store.h"

namespace schicht::transport {

struct LoadedImage {
  Digest id;
  std::vector<std::string> names;
};

// Called with "docker-archive" or "oci-archive" as soon as the archive's type is known, before
// any image is recorded; it throws to refuse the archive (the policy check), which leaves the
// store as it was.
using AdmitArchive = std::function<void(const std::string& transport)>;

std::vector<LoadedImage> load_archive(store::Store& store, Reader& input,
                                      const std::string& archive_name,
                                      const AdmitArchive& admit = {});

}  // namespace schicht::transport
