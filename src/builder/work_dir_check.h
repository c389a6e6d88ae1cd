// `system check`'s look at build directories: those of builds that were killed (nobody holds
// their lock) are problems; with `repair` they go.
#pragma once

#include "store/check.h"
#include "store/store.h"

namespace schicht::builder {

void check_build_dirs(store::Store& store, const store::CheckOptions& options,
                      store::CheckReport& report);

}  // namespace schicht::builder
