// Disk use of the blobs a side table owns (artifacts, the build cache), as `system df` shows it.
//
// Internal to store/.
#pragma once

#include <cstdint>

#include "store/db.h"

namespace schicht::store {

struct OwnedBlobs {
  uint64_t owners = 0;
  uint64_t bytes = 0;        // every owned blob, each once
  uint64_t reclaimable = 0;  // of those, the blobs nothing else references
};

// `count_sql` counts the owners; `blobs_sql` yields each owned blob once as (size, whether
// anything outside the side table references it).
OwnedBlobs count_owned_blobs(Db& db, const char* count_sql, const char* blobs_sql);

}  // namespace schicht::store
