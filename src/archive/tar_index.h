// An uncompressed tar file read in place: its headers are read once into an index (path ->
// where the data lies), then any member is read by pread from its range of the file, so several
// threads can read different members at once and nothing is extracted.
//
// Paths are the archive's, cleaned (clean_entry_path): an entry named absolutely or with ".."
// fails the whole index. Symlinks and hardlinks are followed within the archive only: a target
// that leads above its root, or an absolute symlink target, is refused (kInvalidInput), never
// looked up on the host. A compressed file is refused (kUnsupported): its members have no
// ranges to read in place. The TarIndex owns its file descriptor.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "archive/tar_reader.h"
#include "core/fs.h"
#include "core/io.h"

namespace schicht {

struct TarMember {
  TarEntry::Type type = TarEntry::Type::kFile;
  uint64_t offset = 0;  // of the data in the file
  uint64_t size = 0;
  std::string link_target;  // cleaned, root-relative (hardlinks) or as stored (symlinks)
};

class TarIndex {
 public:
  // Opens and indexes `file`; `name` is how messages name it ("docker-archive:/a.tar").
  TarIndex(const fs::path& file, std::string name);

  const std::string& name() const { return name_; }
  // Whether `path` names a regular file (after following links).
  bool has(std::string_view path) const;
  // The regular file `path` names, links followed. kNotFound when there is none; kInvalidInput
  // when the path or a link escapes the archive, or a link loop.
  const TarMember& file(std::string_view path) const;
  // Reads exactly the member's bytes (kInvalidInput when the file ends early: it was truncated
  // after indexing). Readers are independent: each may live on its own thread.
  std::unique_ptr<Reader> open(const TarMember& member) const;
  // A small member whole: kInvalidInput past `limit` bytes, naming the member and the limit.
  std::string text(std::string_view path, size_t limit) const;

 private:
  std::string resolve(std::string_view path) const;

  UniqueFd fd_;
  std::string name_;
  std::map<std::string, TarMember, std::less<>> members_;
};

}  // namespace schicht
