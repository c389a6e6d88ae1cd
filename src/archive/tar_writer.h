// A streaming tar writer (PAX where needed, plain ustar otherwise) into a schicht::Writer.
//
// Output ends like Go's archive/tar: two zero blocks and no padding to a record size, so the
// bytes (and digests) of a layer do not depend on a blocking factor. Entries are written in call
// order; at most 64 KiB of headers and small data is buffered until the next write or finish(). A
// TarWriter borrows its Writer, which must outlive it; it is single-threaded and non-copyable.
// After any error the writer is unusable.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "archive/tar_reader.h"
#include "core/io.h"

namespace schicht {

class TarWriter {
 public:
  explicit TarWriter(Writer& out);
  // Without finish() the archive is left without its end blocks (an abandoned write).
  ~TarWriter();
  TarWriter(const TarWriter&) = delete;
  TarWriter& operator=(const TarWriter&) = delete;

  // A regular file whose data is the next `size` bytes of `data`, which must then end:
  // fewer or more bytes fail with kIntegrity. Owner is 0:0.
  void add_file(std::string_view path, uint64_t size, Reader& data, uint32_t mode = 0644,
                int64_t mtime = 0);
  void add_file(std::string_view path, std::string_view bytes, uint32_t mode = 0644,
                int64_t mtime = 0);
  // The name is written with a trailing "/" as tar tools expect.
  void add_directory(std::string_view path, uint32_t mode = 0755, int64_t mtime = 0);
  void add_symlink(std::string_view path, std::string_view target, int64_t mtime = 0);

  // Any entry with all its attributes. `data` supplies header.size bytes for a kFile (it may be
  // null when the size is 0); it is ignored for other types, which carry no data.
  void add_entry(const TarEntry& header, Reader* data);

  // Writes the end-of-archive blocks and flushes. Required once, after the last entry.
  void finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace schicht
