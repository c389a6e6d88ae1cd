#include "archive/tar_index.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include <fmt/format.h>

#include "archive/compression.h"
#include "core/error.h"

namespace schicht {
namespace {

constexpr int kMaxLinkHops = 40;

// Reads [offset, offset + size) of a file it does not own, by pread.
class RangeReader final : public Reader {
 public:
  RangeReader(int fd, uint64_t offset, uint64_t size, std::string name)
      : fd_(fd), offset_(offset), left_(size), name_(std::move(name)) {}

  size_t read(void* buffer, size_t size) override {
    if (left_ == 0 || size == 0) return 0;
    size_t want = static_cast<size_t>(std::min<uint64_t>(size, left_));
    ssize_t n;
    do {
      n = ::pread(fd_, buffer, want, static_cast<off_t>(offset_));
    } while (n < 0 && errno == EINTR);
    if (n < 0) fail_errno("read", name_);
    if (n == 0) fail(ErrorKind::kInvalidInput, fmt::format("{}: truncated tar archive", name_));
    offset_ += static_cast<uint64_t>(n);
    left_ -= static_cast<uint64_t>(n);
    return static_cast<size_t>(n);
  }

 private:
  int fd_;
  uint64_t offset_;
  uint64_t left_;
  std::string name_;
};

// `base`/`target` with ".." resolved; nullopt when it climbs above the root.
std::optional<std::string> join_within(std::string_view base, std::string_view target) {
  std::vector<std::string> parts;
  auto add = [&](std::string_view text) {
    size_t pos = 0;
    while (pos <= text.size()) {
      size_t slash = text.find('/', pos);
      if (slash == std::string_view::npos) slash = text.size();
      std::string_view part = text.substr(pos, slash - pos);
      pos = slash + 1;
      if (part.empty() || part == ".") continue;
      if (part == "..") {
        if (parts.empty()) return false;
        parts.pop_back();
      } else {
        parts.emplace_back(part);
      }
    }
    return true;
  };
  if (!add(base) || !add(target)) return std::nullopt;
  std::string out;
  for (const std::string& part : parts) {
    if (!out.empty()) out += '/';
    out += part;
  }
  return out;
}

std::string parent_of(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(path.substr(0, slash));
}

}  // namespace

TarIndex::TarIndex(const fs::path& file, std::string name) : name_(std::move(name)) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail_errno("open", file.string());
  fd_ = UniqueFd(fd);
  char head[kCompressionMagicSize] = {};
  ssize_t n = ::pread(fd, head, sizeof head, 0);
  if (n < 0) fail_errno("read", file.string());
  Compression compression = detect_compression(std::string_view(head, static_cast<size_t>(n)));
  if (compression != Compression::kNone) {
    fail(ErrorKind::kUnsupported,
         fmt::format("{}: a {}-compressed archive cannot be read in place; decompress it first "
                     "(or use load, which reads it in one pass)",
                     name_, compression_name(compression)));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) fail_errno("stat", file.string());
  uint64_t file_size = static_cast<uint64_t>(st.st_size);
  FdReader input(fd, name_);
  // Data is passed over by lseek: the pass reads the headers, not the blobs.
  TarReader tar(input, name_, [&](uint64_t size) -> uint64_t {
    off_t at = ::lseek(fd, 0, SEEK_CUR);
    if (at < 0) fail_errno("seek", file.string());
    uint64_t step = std::min<uint64_t>(size, file_size - std::min<uint64_t>(file_size, at));
    if (::lseek(fd, static_cast<off_t>(step), SEEK_CUR) < 0) fail_errno("seek", file.string());
    return step;
  });
  TarEntry entry;
  while (tar.next(entry)) {
    std::string path = clean_entry_path(entry.path, name_);
    TarMember member{.type = entry.type, .size = entry.size};
    if (entry.type == TarEntry::Type::kFile) {
      std::optional<uint64_t> offset = tar.data_offset();
      if (!offset) {
        fail(ErrorKind::kUnsupported,
             fmt::format("{}: tar entry {:?} is sparse or has headers that cannot be measured; "
                         "it cannot be read in place",
                         name_, entry.path));
      }
      if (*offset > file_size || entry.size > file_size - *offset) {
        fail(ErrorKind::kInvalidInput, fmt::format("{}: truncated tar archive", name_));
      }
      member.offset = *offset;
    } else if (entry.type == TarEntry::Type::kHardlink) {
      member.link_target = clean_entry_path(entry.link_target, name_);
    } else if (entry.type == TarEntry::Type::kSymlink) {
      member.link_target = entry.link_target;
    }
    members_[path] = std::move(member);  // a later entry of the same name replaces it, as in tar
  }
}

std::string TarIndex::resolve(std::string_view raw) const {
  std::string path = clean_entry_path(raw, name_);
  for (int hop = 0; hop <= kMaxLinkHops; ++hop) {
    auto it = members_.find(path);
    if (it == members_.end()) return path;
    const TarMember& member = it->second;
    if (member.type == TarEntry::Type::kHardlink) {
      path = member.link_target;
    } else if (member.type == TarEntry::Type::kSymlink) {
      std::optional<std::string> next;
      if (!member.link_target.starts_with('/')) {
        next = join_within(parent_of(path), member.link_target);
      }
      if (!next) {
        fail(ErrorKind::kInvalidInput,
             fmt::format("{}: symlink {:?} -> {:?} leads out of the archive", name_, path,
                         member.link_target));
      }
      path = std::move(*next);
    } else {
      return path;
    }
  }
  fail(ErrorKind::kInvalidInput,
       fmt::format("{}: too many levels of links resolving {:?}", name_, std::string(raw)));
}

bool TarIndex::has(std::string_view path) const {
  auto it = members_.find(resolve(path));
  return it != members_.end() && it->second.type == TarEntry::Type::kFile;
}

const TarMember& TarIndex::file(std::string_view path) const {
  std::string resolved = resolve(path);
  auto it = members_.find(resolved);
  if (it == members_.end()) {
    fail(ErrorKind::kNotFound,
         fmt::format("{}: file {:?} not found in the archive (missing)", name_, std::string(path)));
  }
  if (it->second.type != TarEntry::Type::kFile) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("{}: {:?} is not a regular file", name_, std::string(path)));
  }
  return it->second;
}

std::unique_ptr<Reader> TarIndex::open(const TarMember& member) const {
  return std::make_unique<RangeReader>(fd_.get(), member.offset, member.size, name_);
}

std::string TarIndex::text(std::string_view path, size_t limit) const {
  const TarMember& member = file(path);
  if (member.size > limit) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("{}: {} is larger than the {} MiB limit for JSON documents", name_,
                     std::string(path), limit >> 20));
  }
  std::unique_ptr<Reader> reader = open(member);
  return read_all(*reader, limit, fmt::format("{}: {}", name_, path));
}

}  // namespace schicht
