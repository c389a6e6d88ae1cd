// What a blob's transfer through a BytePipe (the copy engine's, copy_image.cc) shares: the
// pipe's size and the byte counts for a progress display.
#pragma once

#include <cstddef>

#include "copy/byte_pipe.h"
#include "copy/options.h"

namespace schicht::copy {

// Enough to keep the consumer busy while the network catches up, small enough that six
// transfers at once stay far below the memory a process may use.
constexpr size_t kPipeCapacity = size_t{4} << 20;

// Counts the bytes on their way into the pipe for a progress display.
class ProgressWriter final : public Writer {
 public:
  ProgressWriter(Writer& inner, const Digest& blob, TransferProgress* progress)
      : inner_(inner), blob_(blob), progress_(progress) {}
  using Writer::write;
  void write(const void* data, size_t size) override {
    inner_.write(data, size);
    if (progress_ != nullptr) progress_->moved(blob_, size);
  }

 private:
  Writer& inner_;
  const Digest& blob_;
  TransferProgress* progress_;
};

}  // namespace schicht::copy
