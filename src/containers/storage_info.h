// The store section of podman's `info` (define.StoreInfo) as it applies to schicht: how many
// images and containers, the storage driver and its options, and the file system holding the
// store. The command line renders it (Go names for templates, JSON names for json and YAML).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "containers/storage_driver.h"
#include "core/fs.h"
#include "store/store.h"

namespace schicht::containers {

struct StorageInfo {
  int64_t images = 0;
  int64_t containers = 0;  // schicht's containers never run: podman counts them all stopped
  std::string driver;      // "overlay" or "vfs"
  // podman's graphOptions, a Go map: keys sorted, a repeated key's last value wins. The overlay
  // mount program is described as {Executable, Package, Version}.
  nlohmann::ordered_json graph_options = nlohmann::ordered_json::object();
  // podman's graphStatus: the overlay driver's facts, nothing for vfs.
  nlohmann::ordered_json graph_status = nlohmann::ordered_json::object();
  fs::path root;
  uint64_t root_allocated = 0;  // bytes of the file system holding the root
  uint64_t root_used = 0;
  fs::path run_root;  // --runroot, else the root
};

// `request` is the command's driver request for `store`; `run_root` the --runroot given (may be
// empty). statfs failing on the root is an error.
StorageInfo storage_info(store::Store& store, const DriverRequest& request,
                         const std::string& run_root);

// The name containers/storage gives a file system by its statfs magic ("extfs", "xfs", ...;
// "<unknown>" for others).
std::string_view backing_filesystem(int64_t magic);

}  // namespace schicht::containers
