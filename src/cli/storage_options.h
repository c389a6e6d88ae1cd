// The storage driver's options, as containers/storage takes them: `--storage-opt KEY=VALUE`
// (repeatable; given at all, they replace storage.conf's options, as podman does), else
// [storage.options] and [storage.options.overlay] of storage.conf ($CONTAINERS_STORAGE_CONF,
// else ~/.config/containers/storage.conf when not root and present, else
// /etc/containers/storage.conf; missing: no options). Keys may carry the driver's prefix
// ("overlay.mount_program" or "mount_program"). Keys schicht does not use are ignored, as
// podman ignores those of another driver.
#pragma once

#include <string>

#include "cli/context.h"

namespace schicht::cli {

struct StorageOptions {
  std::string mount_program;  // overlay.mount_program: the program that mounts overlays
};

StorageOptions storage_options(const GlobalOptions& options);

}  // namespace schicht::cli
