// Runs a batch of independent tasks on a few threads, as the copy engine moves layers.
//
// run_parallel calls task(i, cancelled) for every i in [0, count) on at most `jobs` threads, the
// calling one included. The first task to throw sets `cancelled`, so that running tasks can
// stop early (BytePipe checks it) and tasks not yet started are skipped; every thread is joined
// before run_parallel rethrows that first error. Errors a task throws only because `cancelled`
// was set are not reported.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>

namespace schicht::copy {

using ParallelTask = std::function<void(size_t index, const std::atomic<bool>& cancelled)>;

void run_parallel(size_t count, size_t jobs, const ParallelTask& task);

}  // namespace schicht::copy
