#include "copy/byte_pipe.h"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "core/error.h"

namespace schicht::copy {
namespace {

// Waits are bounded so that a cancelled group is noticed even when the other side is stuck.
constexpr std::chrono::milliseconds kCancelPoll{100};

}  // namespace

BytePipe::BytePipe(size_t capacity, const std::atomic<bool>* cancelled)
    : ring_(std::max<size_t>(capacity, 1)), cancelled_(cancelled) {}

void BytePipe::check_cancelled() const {
  if (cancelled_ != nullptr && cancelled_->load()) {
    schicht::fail(ErrorKind::kInternal, "transfer cancelled after another one failed");
  }
}

void BytePipe::put(const void* data, size_t size) {
  const char* bytes = static_cast<const char*>(data);
  std::unique_lock lock(mutex_);
  while (size > 0) {
    changed_.wait_for(lock, kCancelPoll, [&] { return abandoned_ || used_ < ring_.size(); });
    check_cancelled();
    if (abandoned_) schicht::fail(ErrorKind::kInternal, "the reader of the stream stopped");
    if (used_ == ring_.size()) continue;
    size_t tail = (head_ + used_) % ring_.size();
    size_t n = std::min({size, ring_.size() - used_, ring_.size() - tail});
    std::memcpy(ring_.data() + tail, bytes, n);
    used_ += n;
    bytes += n;
    size -= n;
    changed_.notify_all();
  }
}

size_t BytePipe::take(void* buffer, size_t size) {
  if (size == 0) return 0;
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait_for(lock, kCancelPoll, [&] { return used_ > 0 || closed_ || error_; });
    check_cancelled();
    if (used_ > 0) break;
    if (error_) std::rethrow_exception(error_);
    if (closed_) return 0;
  }
  size_t n = std::min({size, used_, ring_.size() - head_});
  std::memcpy(buffer, ring_.data() + head_, n);
  head_ = (head_ + n) % ring_.size();
  used_ -= n;
  changed_.notify_all();
  return n;
}

void BytePipe::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  changed_.notify_all();
}

void BytePipe::fail(std::exception_ptr error) {
  std::lock_guard lock(mutex_);
  error_ = std::move(error);
  changed_.notify_all();
}

void BytePipe::abandon() {
  std::lock_guard lock(mutex_);
  abandoned_ = true;
  changed_.notify_all();
}

bool BytePipe::failed() const {
  std::lock_guard lock(mutex_);
  return error_ != nullptr;
}

}  // namespace schicht::copy
