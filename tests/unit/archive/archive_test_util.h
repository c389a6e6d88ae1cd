// Helpers shared by the archive unit tests: deterministic test data, readers that hand out data
// in awkward pieces or fail on demand, and running the system's compression tools.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/fs.h"
#include "core/io.h"

namespace schicht::test {

// Bytes that compress somewhat (runs of words) but not trivially (pseudo-random spans).
inline std::string make_data(size_t size, uint32_t seed = 1) {
  std::string out;
  out.reserve(size);
  uint32_t x = seed * 2654435761u + 12345;
  static constexpr std::string_view kWords[] = {"layer ", "image ", "blob ",  "schicht ",
                                                "tar ",   "gzip ",  "zstd\n", "manifest "};
  while (out.size() < size) {
    x = x * 1664525u + 1013904223u;
    if ((x >> 28) < 10) {
      out += kWords[(x >> 8) % 8];
    } else {
      for (int i = 0; i < 16; ++i) {
        x = x * 1664525u + 1013904223u;
        out += static_cast<char>(x >> 24);
      }
    }
  }
  out.resize(size);
  return out;
}

// Returns at most `chunk` bytes per read, to cross every buffer boundary.
class ChunkedReader final : public Reader {
 public:
  ChunkedReader(std::string_view data, size_t chunk) : data_(data), chunk_(chunk) {}
  size_t read(void* buffer, size_t size) override {
    size_t n = std::min({size, chunk_, data_.size() - pos_});
    std::memcpy(buffer, data_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  std::string_view data_;
  size_t chunk_;
  size_t pos_ = 0;
};

// Serves `data` and then fails with kNetwork instead of ending.
class FailingReader final : public Reader {
 public:
  explicit FailingReader(std::string_view data) : data_(data) {}
  size_t read(void* buffer, size_t size) override {
    if (pos_ == data_.size()) fail(ErrorKind::kNetwork, "connection reset");
    size_t n = std::min(size, data_.size() - pos_);
    std::memcpy(buffer, data_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

// Accepts `limit` bytes, then fails with kIo.
class FailingWriter final : public Writer {
 public:
  explicit FailingWriter(size_t limit) : limit_(limit) {}
  using Writer::write;
  void write(const void*, size_t size) override {
    if (written_ + size > limit_) fail(ErrorKind::kIo, "disk full");
    written_ += size;
  }

 private:
  size_t limit_;
  size_t written_ = 0;
};

// Reads a whole stream with reads of `chunk` bytes.
inline std::string read_in_chunks(Reader& reader, size_t chunk) {
  std::string out;
  std::string buffer(chunk, '\0');
  while (size_t n = reader.read(buffer.data(), buffer.size())) out.append(buffer.data(), n);
  return out;
}

// Runs a shell command with `input` on its standard input and returns its standard output.
inline std::string run_filter(const std::string& command, std::string_view input) {
  TempDir dir(fs::temp_directory_path(), "archive-test");
  fs::path in = dir.path() / "in";
  fs::path out = dir.path() / "out";
  write_file_atomic(in, input);
  std::string full = command + " < '" + in.string() + "' > '" + out.string() + "'";
  int rc = std::system(full.c_str());
  EXPECT_EQ(rc, 0) << full;
  return read_file(out);
}

inline bool have_tool(const std::string& name) {
  return std::system(("command -v " + name + " > /dev/null 2>&1").c_str()) == 0;
}

template <typename Fn>
ErrorKind error_kind_of(Fn&& fn, std::string* message = nullptr) {
  try {
    fn();
  } catch (const Error& e) {
    if (message != nullptr) *message = e.what();
    return e.kind();
  }
  ADD_FAILURE() << "no error thrown";
  return ErrorKind::kInternal;
}

}  // namespace schicht::test
