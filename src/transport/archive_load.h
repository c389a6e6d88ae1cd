// `load`: reads a docker-archive or an oci-archive (either may be compressed) and records its
// images in the store, with podman's names: docker-archive RepoTags and oci-archive ref.name
// annotations are normalized as podman normalizes local names (a bare name goes to
// localhost/, so Docker's "busybox:latest" loads as localhost/busybox:latest, as in podman).
//
// Identity matches podman's: image ID = config digest; an OCI image keeps its manifest bytes;
// a docker-archive image gets the Docker schema 2 manifest containers/image generates for it.
// Either the whole archive loads, or the store is left as it was.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/digest.h"
#include "core/io.h"
#include "store/store.h"
#include "transport/transport_name.h"
#include "trust/policy.h"

namespace schicht::transport {

struct LoadedImage {
  Digest id;
  std::vector<std::string> names;
};

// Where an archive comes from, for policy.json (source_policy.h): every load is admitted.
struct LoadSource {
  const trust::Policy* policy = nullptr;  // null only for --insecure-policy
  // The source as the user named it (pull docker-archive:F, pull oci:DIR): admitted before a
  // byte is read. Unset for `load`: refused before a byte is read when the policy rejects
  // both "oci-archive:<path>" and "docker-archive:<path>"; else admitted as the type found as
  // soon as it is known, before any image is recorded (a rejection leaves the store as it was).
  std::optional<TransportRef> named;
  std::string path;  // load: the archive's file (its policy scope), empty for stdin
  // pull oci:DIR: the names podman gives the image instead of the archive's own.
  std::optional<std::vector<std::string>> names;
};

std::vector<LoadedImage> load_archive(store::Store& store, Reader& input,
                                      const std::string& archive_name, const LoadSource& source);

}  // namespace schicht::transport
