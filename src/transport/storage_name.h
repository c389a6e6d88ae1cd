// containers-storage:[DRIVER@ROOT+RUNROOT]NAME, podman's name for the local store: what a
// copy reads or writes in schicht's own store. The bracketed store specification is accepted
// and ignored (schicht has one store per --root); only NAME matters.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/digest.h"
#include "core/fs.h"
#include "core/reference.h"
#include "transport/transport_name.h"

namespace schicht::transport {

struct StorageName {
  std::string image;               // NAME as typed, the bracketed part dropped
  std::optional<Reference> named;  // NAME as a docker reference ("latest" added), when it is one
  std::optional<std::string> id;   // NAME as an image ID (64 hex, "sha256:" optional)
};

// kInvalidInput when the bracket is not closed or NAME is neither a reference nor an ID.
StorageName storage_name(const TransportRef& ref);

// policy.json's candidates for a containers-storage image, most specific first, as
// containers/image lists them: "[DRIVER@ROOT]NAME@ID", "[DRIVER@ROOT]NAME", the name's
// repository and its parents, "[DRIVER@ROOT]", "[ROOT]".
std::vector<std::string> storage_scopes(const StorageName& name, std::string_view driver,
                                        const fs::path& root);

}  // namespace schicht::transport
