#include "core/io.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "core/error.h"

namespace schicht {

std::string read_all(Reader& reader, size_t limit, std::string_view what) {
  std::string out;
  char buffer[64 * 1024];
  while (size_t n = reader.read(buffer, sizeof buffer)) {
    if (out.size() + n > limit) {
      fail(ErrorKind::kInvalidInput,
           fmt::format("{}: larger than the limit of {} bytes", what, limit));
    }
    out.append(buffer, n);
  }
  return out;
}

uint64_t copy_stream(Reader& from, Writer& to) {
  IoBuffer buffer;
  uint64_t total = 0;
  while (size_t n = from.read(buffer.data(), buffer.size())) {
    to.write(buffer.data(), n);
    total += n;
  }
  return total;
}

size_t StringReader::read(void* buffer, size_t size) {
  size_t n = std::min(size, data_.size() - pos_);
  std::memcpy(buffer, data_.data() + pos_, n);
  pos_ += n;
  return n;
}

void StringWriter::write(const void* data, size_t size) {
  out_.append(static_cast<const char*>(data), size);
}

size_t FdReader::read(void* buffer, size_t size) {
  for (;;) {
    ssize_t n = ::read(fd_, buffer, size);
    if (n >= 0) return static_cast<size_t>(n);
    if (errno != EINTR) fail_errno("reading", name_);
  }
}

void FdWriter::write(const void* data, size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(fd_, p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail_errno("writing", name_);
    }
    p += n;
    size -= static_cast<size_t>(n);
  }
}

size_t LimitedReader::read(void* buffer, size_t size) {
  if (left_ == 0) {
    char probe;
    if (inner_.read(&probe, 1) != 0) {
      fail(ErrorKind::kIntegrity, fmt::format("{}: more data than its declared size", name_));
    }
    return 0;
  }
  size_t n = inner_.read(buffer, static_cast<size_t>(std::min<uint64_t>(size, left_)));
  left_ -= n;
  return n;
}

}  // namespace schicht
