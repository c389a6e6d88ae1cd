// `system check`'s look at the snapshots (the store knows nothing of them): those no image or
// container needs, snapshots of an older layout, and builds of snapshots whose process died
// are problems; with `repair` they go.
#pragma once

#include "store/check.h"
#include "store/store.h"

namespace schicht::containers {

void check_snapshots(store::Store& store, const store::CheckOptions& options,
                     store::CheckReport& report);

}  // namespace schicht::containers
