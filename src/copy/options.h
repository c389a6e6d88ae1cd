// What pull and push share: how registries are reached, how many blobs move at once, and where
// podman's progress lines go.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "core/digest.h"
#include "core/reference.h"
#include "registry/registries_conf.h"
#include "registry/registry_client.h"

namespace schicht::copy {

// Bytes of blob transfers as they move, for a display on a terminal. Called from the transfer
// threads: implementations synchronize themselves.
class TransferProgress {
 public:
  virtual ~TransferProgress() = default;
  // A blob of `size` bytes begins to move (after its "Copying blob" line was reported).
  virtual void started(const Digest& blob, uint64_t size) = 0;
  // `bytes` more of it moved; all of it once the sum reaches `size`.
  virtual void moved(const Digest& blob, uint64_t bytes) = 0;
};

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
  // Null: no byte counts (plain lines only). Borrowed.
  TransferProgress* progress = nullptr;
};

// The options for talking to `reference`'s registry: `options.registry` with registries.conf's
// `insecure`; kPolicy when registries.conf blocks the registry.
registry::RegistryOptions endpoint_options(const Reference& reference,
                                           const registry::RegistriesConf& conf,
                                           const TransferOptions& options);

}  // namespace schicht::copy
