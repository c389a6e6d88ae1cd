// A small blob (a config, a signature payload) from a registry into memory, verified.
// Internal to copy/. Layers go through the copy engine (copy_image.h) instead.
#pragma once

#include <string>
#include <string_view>

#include "core/digest.h"
#include "oci/descriptor.h"
#include "registry/registry_client.h"

namespace schicht::copy {

// Reads a small blob (a config) of at most `limit` bytes and checks it against `descriptor`.
std::string fetch_small_blob(registry::RegistryClient& client, std::string_view repository,
                             const Descriptor& descriptor, size_t limit);

}  // namespace schicht::copy
