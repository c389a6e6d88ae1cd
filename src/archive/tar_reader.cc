#include "archive/tar_reader.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <cerrno>
#include <exception>
#include <optional>

#include <fmt/format.h>

#include "archive/tar_headers.h"
#include "core/error.h"

namespace schicht {
namespace {

constexpr size_t kTarBlockSize = 512;
constexpr size_t kMaxStep = size_t{1} << 30;

TarEntry::Type entry_type(archive_entry* entry) {
  if (archive_entry_hardlink(entry) != nullptr) return TarEntry::Type::kHardlink;
  switch (archive_entry_filetype(entry)) {
    case AE_IFREG:
      return TarEntry::Type::kFile;
    case AE_IFDIR:
      return TarEntry::Type::kDirectory;
    case AE_IFLNK:
      return TarEntry::Type::kSymlink;
    case AE_IFCHR:
      return TarEntry::Type::kCharDevice;
    case AE_IFBLK:
      return TarEntry::Type::kBlockDevice;
    case AE_IFIFO:
      return TarEntry::Type::kFifo;
    default:
      return TarEntry::Type::kOther;
  }
}

// libarchive keeps names both as UTF-8 and in the locale's encoding and converts between them on
// demand; in the C locale one of the two may be missing for non-ASCII names. Prefer the form
// that was stored, so the bytes come back as they were written.
std::string text_of(const char* utf8, const char* local) {
  if (utf8 != nullptr) return utf8;
  if (local != nullptr) return local;
  return {};
}

// Forwards to TarReader::read so that callers can hand an entry to any Reader consumer.
class EntryDataReader final : public Reader {
 public:
  explicit EntryDataReader(TarReader& tar) : tar_(tar) {}
  size_t read(void* buffer, size_t size) override { return tar_.read(buffer, size); }

 private:
  TarReader& tar_;
};

}  // namespace

struct TarReader::Impl {
  Impl(TarReader& owner, Reader& input, std::string archive_name)
      : in(input),
        name(std::move(archive_name)),
        archive_owner(archive_read_new(), &archive_read_free),
        a(archive_owner.get()),
        data_reader(owner) {}

  static la_ssize_t read_callback(archive* a, void* self_ptr, const void** out) {
    auto* self = static_cast<Impl*>(self_ptr);
    try {
      if (!self->buffer) self->buffer.emplace();
      *out = self->buffer->data();
      size_t n = self->in.read(self->buffer->data(), self->buffer->size());
      self->bytes_in += n;
      self->window.append(self->buffer->data(), n);
      return static_cast<la_ssize_t>(n);
    } catch (...) {
      // Exceptions must not unwind through libarchive's C frames: park it, rethrow later.
      self->pending = std::current_exception();
      archive_set_error(a, EIO, "read failed");
      return -1;
    }
  }

  static la_int64_t skip_callback(archive* a, void* self_ptr, la_int64_t request) {
    auto* self = static_cast<Impl*>(self_ptr);
    try {
      uint64_t n = self->skip(static_cast<uint64_t>(std::max<la_int64_t>(request, 0)));
      self->bytes_in += n;
      self->window.skip(n);
      return static_cast<la_int64_t>(n);
    } catch (...) {
      self->pending = std::current_exception();
      archive_set_error(a, EIO, "seek failed");
      return ARCHIVE_FATAL;
    }
  }

  void open() {
    if (a == nullptr) fail(ErrorKind::kInternal, "cannot allocate a libarchive reader");
    // format_tar covers ustar, PAX, GNU tar and old v7 tar. No filters: decompression is ours.
    archive_read_support_format_tar(a);
    if (skip) archive_read_set_skip_callback(a, &Impl::skip_callback);
    if (archive_read_open(a, this, nullptr, &Impl::read_callback, nullptr) != ARCHIVE_OK) {
      fail_from_archive();
    }
  }

  [[noreturn]] void fail_from_archive() {
    if (pending) std::rethrow_exception(std::exchange(pending, nullptr));
    const char* message = archive_error_string(a);
    std::string why = message != nullptr ? message : "unknown error";
    bool truncated = why.find("runcated") != std::string::npos;
    if (bytes_in == 0) {
      fail(ErrorKind::kInvalidInput, fmt::format("{}: not a tar archive (empty input)", name));
    }
    if (!seen_header && !(truncated && bytes_in >= kTarBlockSize)) {
      fail(ErrorKind::kInvalidInput, fmt::format("{}: not a tar archive", name));
    }
    if (truncated) fail(ErrorKind::kInvalidInput, fmt::format("{}: truncated tar archive", name));
    fail(ErrorKind::kInvalidInput, fmt::format("{}: invalid tar archive: {}", name, why));
  }

  // libarchive cuts a PAX path at a NUL byte; Go's archive/tar (podman) refuses the header.
  void check_raw_headers(const std::string& path) {
    la_int64_t position = std::max<la_int64_t>(0, archive_read_header_position(a));
    std::optional<std::string_view> chain = window.since(static_cast<uint64_t>(position));
    if (!chain) {
      fail(ErrorKind::kInvalidInput,
           fmt::format("{}: invalid tar header: the headers of tar entry {:?} exceed {} MiB", name,
                       path, HeaderWindow::kMaxHeld >> 20));
    }
    offset = std::nullopt;
    if (std::optional<uint64_t> length = header_chain_length(*chain)) {
      offset = static_cast<uint64_t>(position) + *length;
    }
    if (std::optional<std::string> key = pax_record_with_nul(*chain)) {
      fail(ErrorKind::kInvalidInput,
           fmt::format("{}: invalid tar header: the PAX {} record of tar entry {:?} holds a NUL "
                       "byte",
                       name, *key, path));
    }
  }

  Reader& in;
  std::string name;
  std::unique_ptr<archive, decltype(&archive_read_free)> archive_owner;
  archive* a;
  EntryDataReader data_reader;
  std::function<uint64_t(uint64_t)> skip;
  std::optional<IoBuffer> buffer;
  std::exception_ptr pending;
  HeaderWindow window;  // the latest input, to read the raw headers of an entry
  uint64_t bytes_in = 0;
  std::optional<uint64_t> offset;  // of the current entry's data
  bool opened = false;
  bool seen_header = false;
  bool in_entry = false;
  bool at_end = false;
};

TarReader::TarReader(Reader& in, std::string name)
    : impl_(std::make_unique<Impl>(*this, in, std::move(name))) {}

TarReader::TarReader(Reader& in, std::string name, std::function<uint64_t(uint64_t)> skip)
    : impl_(std::make_unique<Impl>(*this, in, std::move(name))) {
  impl_->skip = std::move(skip);
}

TarReader::~TarReader() = default;

const std::string& TarReader::name() const {
  return impl_->name;
}

bool TarReader::next(TarEntry& out) {
  Impl& s = *impl_;
  if (s.at_end) return false;
  // The rest of the current entry goes first, so that only headers are held in the window.
  skip();
  s.window.hold(true);
  if (!s.opened) {
    // Opening reads and sniffs the first block; doing it here keeps all input errors in next().
    s.opened = true;
    s.open();
  }
  archive_entry* entry = nullptr;
  int rc = archive_read_next_header(s.a, &entry);
  s.window.hold(false);
  if (rc == ARCHIVE_EOF) {
    if (s.bytes_in == 0) s.fail_from_archive();
    s.at_end = true;
    return false;
  }
  // ARCHIVE_WARN only reports a name that could not be converted to the locale; RETRY (a
  // damaged header bsdtar would resync past), FAILED and FATAL are all corruption to us.
  if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) s.fail_from_archive();
  s.seen_header = true;
  s.in_entry = true;

  out = TarEntry{};
  out.path = text_of(archive_entry_pathname_utf8(entry), archive_entry_pathname(entry));
  s.check_raw_headers(out.path);
  out.type = entry_type(entry);
  if (archive_entry_sparse_reset(entry) > 0) s.offset = std::nullopt;
  out.size = out.type == TarEntry::Type::kFile && archive_entry_size_is_set(entry)
                 ? static_cast<uint64_t>(std::max<la_int64_t>(0, archive_entry_size(entry)))
                 : 0;
  out.mode = static_cast<uint32_t>(archive_entry_perm(entry)) & 07777;
  out.uid = archive_entry_uid(entry);
  out.gid = archive_entry_gid(entry);
  out.mtime_sec = archive_entry_mtime(entry);
  out.mtime_nsec = archive_entry_mtime_nsec(entry);
  if (out.type == TarEntry::Type::kHardlink) {
    out.link_target = text_of(archive_entry_hardlink_utf8(entry), archive_entry_hardlink(entry));
  } else if (out.type == TarEntry::Type::kSymlink) {
    out.link_target = text_of(archive_entry_symlink_utf8(entry), archive_entry_symlink(entry));
  }
  out.uname = text_of(archive_entry_uname_utf8(entry), archive_entry_uname(entry));
  out.gname = text_of(archive_entry_gname_utf8(entry), archive_entry_gname(entry));
  if (out.type == TarEntry::Type::kCharDevice || out.type == TarEntry::Type::kBlockDevice) {
    out.dev_major = static_cast<uint32_t>(archive_entry_rdevmajor(entry));
    out.dev_minor = static_cast<uint32_t>(archive_entry_rdevminor(entry));
  }
  if (archive_entry_xattr_reset(entry) > 0) {
    const char* xattr_name = nullptr;
    const void* value = nullptr;
    size_t value_size = 0;
    while (archive_entry_xattr_next(entry, &xattr_name, &value, &value_size) == ARCHIVE_OK) {
      out.xattrs.emplace_back(xattr_name != nullptr ? xattr_name : "",
                              std::string(static_cast<const char*>(value), value_size));
    }
  }
  return true;
}

size_t TarReader::read(void* buffer, size_t size) {
  Impl& s = *impl_;
  if (!s.in_entry || size == 0) return 0;
  la_ssize_t n = archive_read_data(s.a, buffer, std::min(size, kMaxStep));
  if (n < 0) s.fail_from_archive();
  return static_cast<size_t>(n);
}

bool TarReader::read_block(Block& out) {
  Impl& s = *impl_;
  if (!s.in_entry) return false;
  const void* data = nullptr;
  size_t size = 0;
  la_int64_t offset = 0;
  int rc = archive_read_data_block(s.a, &data, &size, &offset);
  if (rc == ARCHIVE_EOF) return false;
  if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) s.fail_from_archive();
  if (offset < 0) {
    fail(ErrorKind::kInvalidInput, fmt::format("{}: invalid sparse map (negative offset)", s.name));
  }
  out = Block{static_cast<const char*>(data), size, static_cast<uint64_t>(offset)};
  return true;
}

std::optional<uint64_t> TarReader::data_offset() const {
  return impl_->in_entry ? impl_->offset : std::nullopt;
}

Reader& TarReader::data() {
  return impl_->data_reader;
}

void TarReader::skip() {
  Impl& s = *impl_;
  if (!s.in_entry) return;
  if (archive_read_data_skip(s.a) != ARCHIVE_OK) s.fail_from_archive();
  s.in_entry = false;
}

std::string clean_entry_path(std::string_view raw, std::string_view archive_name) {
  auto escapes = [&]() {
    fail(ErrorKind::kInvalidInput,
         fmt::format("{}: tar entry {:?} escapes the root", archive_name, raw));
  };
  if (!raw.empty() && raw.front() == '/') escapes();
  std::string clean;
  clean.reserve(raw.size());
  size_t pos = 0;
  while (pos <= raw.size()) {
    size_t slash = raw.find('/', pos);
    if (slash == std::string_view::npos) slash = raw.size();
    std::string_view component = raw.substr(pos, slash - pos);
    pos = slash + 1;
    if (component.empty() || component == ".") continue;
    if (component == "..") escapes();
    if (!clean.empty()) clean += '/';
    clean += component;
  }
  return clean;
}

}  // namespace schicht
