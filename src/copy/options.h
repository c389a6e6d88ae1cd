// What pull and push share: how registries are reached, how many blobs move at once, and where
// podman's progress lines go.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include "registry/registry_client.h"

namespace schicht::copy {

// Receives podman's progress lines ("Copying blob sha256:…"), always on the calling thread.
using ReportLine = std::function<void(const std::string& line)>;

struct TransferOptions {
  // --tls-verify, --cert-dir, --creds, --authfile, --retry. `insecure` is filled in per
  // registry from registries.conf.
  registry::RegistryOptions registry;
  // Blobs transferred at once.
  size_t jobs = 6;
  // Null: quiet.
  ReportLine report;
};

}  // namespace schicht::copy
