#include "copy/parallel.h"

#include <algorithm>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace schicht::copy {

void run_parallel(size_t count, size_t jobs, const ParallelTask& task) {
  std::atomic<size_t> next{0};
  std::atomic<bool> cancelled{false};
  std::mutex error_mutex;
  std::exception_ptr first_error;
  auto work = [&] {
    for (size_t i = next++; i < count && !cancelled; i = next++) {
      try {
        task(i, cancelled);
      } catch (...) {
        std::lock_guard lock(error_mutex);
        // A task that failed because another one did is a consequence, not the cause.
        if (!first_error) first_error = std::current_exception();
        cancelled = true;
      }
    }
  };
  size_t threads = std::clamp<size_t>(jobs, 1, std::max<size_t>(count, 1));
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& thread : pool) thread.join();
  if (first_error) std::rethrow_exception(first_error);
}

}  // namespace schicht::copy
