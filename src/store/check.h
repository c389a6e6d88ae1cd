// `system check`: is the store consistent, and with repair, make it so.
//
// Finds: blobs that rows reference but that are missing, the wrong size or (unless quick)
// the wrong digest — and the images they damage; blobs and blob rows nothing references
// (crash leftovers); ingest files no live process writes; leases whose owner is gone.
// Repair removes the leftovers; damaged images are removed only with `force`, since that
// loses their names.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/store.h"

namespace schicht::store {

struct CheckOptions {
  bool quick = false;  // sizes only, no hashing
  bool repair = false;
  bool force = false;  // with repair: also remove damaged images
};

struct CheckReport {
  uint64_t blobs_checked = 0;
  uint64_t images_checked = 0;
  std::vector<std::string> problems;  // what is wrong (before repair)
  std::vector<std::string> repairs;   // what repair did
  size_t unrepaired = 0;              // problems still present afterwards
};

CheckReport check_store(Store& store, const CheckOptions& options);

}  // namespace schicht::store
