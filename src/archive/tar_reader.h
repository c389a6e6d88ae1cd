// A streaming tar reader (ustar, PAX and GNU tar, as libarchive parses them) over a
// schicht::Reader, and the path rule that keeps an extracted entry inside its root.
//
// The reader takes no compression filter: a compressed archive is decompressed by the Reader
// chain in front of it (see compression.h). A TarReader borrows its input, which must outlive
// it; it is single-threaded and non-copyable. Errors are kInvalidInput and name the archive.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/io.h"

namespace schicht {

// One tar header, as stored (paths are not cleaned: see clean_entry_path()).
struct TarEntry {
  enum class Type {
    kFile,
    kDirectory,
    kSymlink,
    kHardlink,
    kCharDevice,
    kBlockDevice,
    kFifo,
    kOther
  };

  std::string path;
  Type type = Type::kFile;
  uint64_t size = 0;  // bytes of data; 0 for everything but regular files
  uint32_t mode = 0;  // permission bits with setuid/setgid/sticky (07777), no file-type bits
  int64_t uid = 0;
  int64_t gid = 0;
  int64_t mtime_sec = 0;
  int64_t mtime_nsec = 0;
  std::string link_target;  // the target of a symlink, or the path a hardlink refers to
  std::string uname;
  std::string gname;
  uint32_t dev_major = 0;  // for character and block devices
  uint32_t dev_minor = 0;
  std::vector<std::pair<std::string, std::string>> xattrs;  // name ("user.x") -> raw value
};

class TarReader {
 public:
  // `name` is how errors refer to the archive ("<name>: truncated tar archive").
  TarReader(Reader& in, std::string name);
  // With `skip`, data not read is passed over by calling skip(n) instead of reading it: it must
  // advance `in` by n bytes and return how many it advanced (fewer at the end of the input,
  // which is then a truncated archive). For a file, an lseek: an index pass reads only headers.
  TarReader(Reader& in, std::string name, std::function<uint64_t(uint64_t)> skip);
  ~TarReader();
  TarReader(const TarReader&) = delete;
  TarReader& operator=(const TarReader&) = delete;

  // Moves to the next entry, skipping the unread data of the current one. Returns false at the
  // end of the archive (an archive of only end blocks has no entries). A 0-byte input, a
  // non-tar, a damaged header or a truncated archive fail with kInvalidInput.
  bool next(TarEntry& out);

  // Reads the current entry's data; returns 0 at its end.
  size_t read(void* buffer, size_t size);

  // The current entry's data as libarchive holds it: the next block and where it lies in the
  // file. What no block covers up to TarEntry::size is a hole of a sparse file (zeros). Returns
  // false at the entry's end. Do not mix with read() on one entry.
  struct Block {
    const char* data = nullptr;
    size_t size = 0;
    uint64_t offset = 0;
  };
  bool read_block(Block& out);

  // The current entry's data as a Reader (valid for the TarReader's lifetime; it always reads
  // the entry that is current at the time of the call).
  Reader& data();

  // Where the current entry's data begins in the (uncompressed) input, and whether it lies
  // there in one piece: nullopt for a sparse entry or one whose headers could not be measured.
  // With the input a plain file, [data_offset, data_offset + size) is the entry's data.
  std::optional<uint64_t> data_offset() const;

  // Discards the rest of the current entry's data.
  void skip();

  const std::string& name() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Normalizes a tar entry path to a root-relative one: strips "./" and trailing "/", folds
// repeated slashes and "." components ("a//b/./c/" -> "a/b/c"). The root itself ("." or "./")
// becomes "". An absolute path or any ".." component is refused with kInvalidInput:
// `<archive_name>: tar entry "<raw>" escapes the root`.
std::string clean_entry_path(std::string_view raw, std::string_view archive_name);

}  // namespace schicht
