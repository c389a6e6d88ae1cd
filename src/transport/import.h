// `import`: a root-filesystem tarball (maybe compressed) becomes a one-layer image, as podman
// import makes it: the layer stored uncompressed, an OCI config with the --change
// instructions applied and one history entry, an OCI manifest.
#pragma once

#include <string>
#include <vector>

#include "core/digest.h"
#include "core/io.h"
#include "store/store.h"
#include "trust/policy.h"

namespace schicht::transport {

struct ImportOptions {
  std::vector<std::string> changes;  // Dockerfile instructions: CMD, ENV, LABEL, ...
  std::string message;               // the history comment
  std::vector<std::string> names;
  std::string os = "linux", architecture, variant;
  // The image's creation time: podman takes the tarball's modification time (so importing the
  // same file twice gives the same image ID), and now for a stream. 0 means now.
  int64_t created_ns = 0;
};

// policy.json is evaluated first for "tarball:SOURCE_NAME" (the transport's "" scope, as podman
// import does); `policy` is null only for --insecure-policy.
Digest import_tarball(store::Store& store, Reader& input, const std::string& source_name,
                      const ImportOptions& options, const trust::Policy* policy);

}  // namespace schicht::transport
