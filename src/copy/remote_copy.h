// Copying an image between repositories without the store: the instances of a manifest list
// that were added from a registry (`manifest add docker://…`) and are pushed with the list.
#pragma once

#include "copy/options.h"
#include "core/digest.h"
#include "core/reference.h"
#include "registry/registries_conf.h"

namespace schicht::copy {

// Copies the image manifest `digest` in `source` (a repository reference; its tag and digest
// are ignored) to `destination`@digest: every blob the destination lacks is mounted when both
// are on one registry, else streamed from source to destination; then the manifest goes
// byte-exact (copy_image.h's engine, docker_image.h's mounts). Lists (nested indexes) are
// refused with kUnsupported.
void copy_remote_image(const Reference& source, const Digest& digest, const Reference& destination,
                       const registry::RegistriesConf& conf, const TransferOptions& options);

}  // namespace schicht::copy
