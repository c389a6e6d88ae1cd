// A bounded in-memory pipe between two threads: the producer pushes bytes into writer() (as a
// download's write callback does), the consumer pulls them from reader() (as digest_layer
// does). At most `capacity` bytes are buffered; a full pipe blocks the producer, an empty one
// the consumer.
//
// Ending: the producer calls close() after its last byte, or fail() with the error that broke
// its stream, which the consumer's next read rethrows once the buffered bytes are gone. The
// consumer calls abandon() when it stops reading; the producer's next write then throws, so a
// download stops early. A set `cancelled` flag (shared by a group of transfers) makes both
// sides throw.
//
// Thread-safety: writer() belongs to one thread and reader() to another; close, fail and
// abandon may be called from either.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

#include "core/io.h"

namespace schicht::copy {

class BytePipe {
 public:
  explicit BytePipe(size_t capacity, const std::atomic<bool>* cancelled = nullptr);
  BytePipe(const BytePipe&) = delete;
  BytePipe& operator=(const BytePipe&) = delete;

  Writer& writer() { return writer_; }
  Reader& reader() { return reader_; }

  void close();
  void fail(std::exception_ptr error);
  void abandon();
  // Whether the producer ended with fail().
  bool failed() const;

 private:
  class PipeWriter final : public Writer {
   public:
    explicit PipeWriter(BytePipe& pipe) : pipe_(pipe) {}
    using Writer::write;
    void write(const void* data, size_t size) override { pipe_.put(data, size); }

   private:
    BytePipe& pipe_;
  };
  class PipeReader final : public Reader {
   public:
    explicit PipeReader(BytePipe& pipe) : pipe_(pipe) {}
    size_t read(void* buffer, size_t size) override { return pipe_.take(buffer, size); }

   private:
    BytePipe& pipe_;
  };

  void put(const void* data, size_t size);
  size_t take(void* buffer, size_t size);
  // Throws when the group was cancelled; called with the mutex held.
  void check_cancelled() const;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  IoBuffer ring_;
  size_t head_ = 0;  // next byte to take
  size_t used_ = 0;
  bool closed_ = false;
  bool abandoned_ = false;
  std::exception_ptr error_;
  const std::atomic<bool>* cancelled_;
  PipeWriter writer_{*this};
  PipeReader reader_{*this};
};

// A producer on its own thread: `produce` writes into the pipe's writer(), then the pipe is
// closed, or failed with what `produce` threw. Destroying it abandons the pipe and joins the
// thread, so no producer outlives the transfer that started it.
class PipeFeed {
 public:
  PipeFeed(BytePipe& pipe, std::function<void(Writer&)> produce)
      : pipe_(pipe), thread_([this, produce = std::move(produce)] {
          try {
            produce(pipe_.writer());
            pipe_.close();
          } catch (...) {
            error_ = std::current_exception();
            pipe_.fail(error_);
          }
        }) {}
  ~PipeFeed() { join(); }
  PipeFeed(const PipeFeed&) = delete;
  PipeFeed& operator=(const PipeFeed&) = delete;

  // Waits for the producer to end and rethrows its error, if it had one.
  void finish() {
    join();
    if (error_) std::rethrow_exception(error_);
  }

 private:
  void join() {
    if (!thread_.joinable()) return;
    pipe_.abandon();
    thread_.join();
  }

  BytePipe& pipe_;
  std::exception_ptr error_;
  std::thread thread_;  // last: starts once the members it uses exist
};

}  // namespace schicht::copy
