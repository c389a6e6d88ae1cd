// `system check`: is the store consistent, and with repair, make it so.
//
// Finds: blobs that rows reference but that are missing, the wrong size or (unless quick)
// the wrong digest — and the images and artifacts they damage; blobs and blob rows nothing
// references (crash leftovers); ingest files no live process writes; leases whose owner is
// gone. Repair removes the leftovers; damaged images and artifacts are removed only with
// `force`, since that loses their names.
//
// Safe beside any other command: a first pass without locks (rows from one read snapshot,
// then the files) only suspects; each suspect is confirmed under gc.lock, inside one write
// transaction (Store::remove_exclusively), where repair also acts. So an image committed
// beside the check, a blob a live lease protects, or one a deleter is between removing the
// row and the file of, is never reported or removed; stale ingest files are unlinked only
// while their lock is held (BlobStore::remove_stale_ingest).
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
