// Byte streams: the small interfaces every streaming pass in schicht is built from.
//
// A layer flows through a chain of Readers (file or socket -> decompressor -> hasher -> tar
// parser) so that each byte is read once. Implementations are single-threaded; a stream
// object is owned by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace schicht {

inline constexpr size_t kIoBufferSize = 1 << 20;

// Heap bytes for a streaming pass, left uninitialized: a pass writes them before it reads them.
// (A std::vector<char> zeroes them: a fresh megabyte per stream was most of the instructions of
// loading thousands of small images.)
class IoBuffer {
 public:
  explicit IoBuffer(size_t size = kIoBufferSize)
      : bytes_(std::make_unique_for_overwrite<char[]>(size)), size_(size) {}
  char* data() { return bytes_.get(); }
  size_t size() const { return size_; }

 private:
  std::unique_ptr<char[]> bytes_;
  size_t size_;
};

class Reader {
 public:
  virtual ~Reader() = default;
  // Reads up to `size` bytes; returns 0 only at the end of the stream. Throws Error on failure.
  virtual size_t read(void* buffer, size_t size) = 0;
};

class Writer {
 public:
  virtual ~Writer() = default;
  // Writes all `size` bytes or throws.
  virtual void write(const void* data, size_t size) = 0;
  void write(std::string_view data) { write(data.data(), data.size()); }
};

// Reads a whole stream into memory, failing with kInvalidInput past `limit` bytes.
std::string read_all(Reader& reader, size_t limit, std::string_view what);

// Copies until the end of `from`; returns the byte count.
uint64_t copy_stream(Reader& from, Writer& to);

class StringReader final : public Reader {
 public:
  explicit StringReader(std::string_view data) : data_(data) {}
  size_t read(void* buffer, size_t size) override;

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

class StringWriter final : public Writer {
 public:
  using Writer::write;
  void write(const void* data, size_t size) override;
  std::string& str() { return out_; }

 private:
  std::string out_;
};

// Discards bytes; counts them.
class NullWriter final : public Writer {
 public:
  using Writer::write;
  void write(const void*, size_t size) override { count_ += size; }
  uint64_t count() const { return count_; }

 private:
  uint64_t count_ = 0;
};

// Passes reads through and copies every byte read to `sink`.
class TeeReader final : public Reader {
 public:
  TeeReader(Reader& inner, Writer& sink) : inner_(inner), sink_(sink) {}
  size_t read(void* buffer, size_t size) override {
    size_t n = inner_.read(buffer, size);
    if (n > 0) sink_.write(buffer, n);
    return n;
  }

 private:
  Reader& inner_;
  Writer& sink_;
};

// Writes every byte to `first`, then to `second`.
class TeeWriter final : public Writer {
 public:
  TeeWriter(Writer& first, Writer& second) : first_(first), second_(second) {}
  using Writer::write;
  void write(const void* data, size_t size) override {
    first_.write(data, size);
    second_.write(data, size);
  }

 private:
  Writer& first_;
  Writer& second_;
};

// Reads from a file descriptor it does not own. `name` appears in error messages.
class FdReader final : public Reader {
 public:
  FdReader(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}
  size_t read(void* buffer, size_t size) override;

 private:
  int fd_;
  std::string name_;
};

class FdWriter final : public Writer {
 public:
  FdWriter(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}
  using Writer::write;
  void write(const void* data, size_t size) override;

 private:
  int fd_;
  std::string name_;
};

// Passes at most `limit` bytes of `inner` through; reading past it fails with kIntegrity
// (the peer sent more than it declared).
class LimitedReader final : public Reader {
 public:
  LimitedReader(Reader& inner, uint64_t limit, std::string name)
      : inner_(inner), left_(limit), name_(std::move(name)) {}
  size_t read(void* buffer, size_t size) override;

 private:
  Reader& inner_;
  uint64_t left_;
  std::string name_;
};

}  // namespace schicht
