#include "archive/tar_writer.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <cerrno>
#include <exception>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/error.h"

namespace schicht {
namespace {

// libarchive's output buffer: large data blocks bypass it, small headers are gathered in it.
constexpr int kBytesPerBlock = 64 * 1024;

using EntryPtr = std::unique_ptr<archive_entry, decltype(&archive_entry_free)>;

unsigned filetype_of(TarEntry::Type type) {
  switch (type) {
    case TarEntry::Type::kFile:
    case TarEntry::Type::kHardlink:
      return AE_IFREG;
    case TarEntry::Type::kDirectory:
      return AE_IFDIR;
    case TarEntry::Type::kSymlink:
      return AE_IFLNK;
    case TarEntry::Type::kCharDevice:
      return AE_IFCHR;
    case TarEntry::Type::kBlockDevice:
      return AE_IFBLK;
    case TarEntry::Type::kFifo:
      return AE_IFIFO;
    case TarEntry::Type::kOther:
      break;
  }
  return 0;
}

}  // namespace

struct TarWriter::Impl {
  explicit Impl(Writer& output)
      : out(output),
        archive_owner(archive_write_new(), &archive_write_free),
        a(archive_owner.get()) {}

  ~Impl() {
    // An unfinished archive is abandoned: archive_write_free() would otherwise write end blocks
    // into a Writer that may be half-dead after the failure that got us here.
    abandoned = true;
  }

  static la_ssize_t write_callback(archive* a, void* self_ptr, const void* buffer, size_t size) {
    auto* self = static_cast<Impl*>(self_ptr);
    if (self->abandoned) return static_cast<la_ssize_t>(size);
    try {
      self->out.write(buffer, size);
      return static_cast<la_ssize_t>(size);
    } catch (...) {
      // Exceptions must not unwind through libarchive's C frames: park it, rethrow later.
      self->pending = std::current_exception();
      archive_set_error(a, EIO, "write failed");
      return -1;
    }
  }

  void open() {
    if (a == nullptr) fail(ErrorKind::kInternal, "cannot allocate a libarchive writer");
    // pax_restricted writes plain ustar headers and adds a PAX header only when a field does
    // not fit (long names, large ids or sizes, xattrs, sub-second times), as Go's writer does.
    check(archive_write_set_format_pax_restricted(a), "");
    // Only SCHILY.xattr.* records, the form Go and containers/storage read.
    check(archive_write_set_format_option(a, "pax", "xattrheader", "SCHILY"), "");
    check(archive_write_set_bytes_per_block(a, kBytesPerBlock), "");
    // No padding of the last block: the archive ends right after the two zero blocks.
    check(archive_write_set_bytes_in_last_block(a, 1), "");
    check(archive_write_open(a, this, nullptr, &Impl::write_callback, nullptr), "");
  }

  void check(int rc, std::string_view path) {
    if (rc == ARCHIVE_OK || rc == ARCHIVE_WARN) return;
    broken = true;
    if (pending) std::rethrow_exception(std::exchange(pending, nullptr));
    const char* message = archive_error_string(a);
    std::string why = message != nullptr ? message : "unknown error";
    if (path.empty()) fail(ErrorKind::kInternal, fmt::format("writing a tar archive: {}", why));
    fail(ErrorKind::kInvalidInput, fmt::format("writing tar entry {:?}: {}", path, why));
  }

  void check_usable() const {
    if (broken) fail(ErrorKind::kInternal, "tar writer used after a failure");
    if (finished) fail(ErrorKind::kInternal, "tar writer used after finish");
  }

  void copy_data(std::string_view path, uint64_t size, Reader* data) {
    if (data == nullptr) {
      if (size == 0) return;
      broken = true;
      fail(ErrorKind::kInternal, fmt::format("tar entry {:?}: no data for {} bytes", path, size));
    }
    if (buffer.empty()) buffer.resize(kIoBufferSize);
    uint64_t left = size;
    while (left > 0) {
      size_t n =
          data->read(buffer.data(), static_cast<size_t>(std::min<uint64_t>(left, buffer.size())));
      if (n == 0) {
        broken = true;
        fail(ErrorKind::kIntegrity, fmt::format("tar entry {:?}: data ended after {} of {} bytes",
                                                path, size - left, size));
      }
      la_ssize_t written = archive_write_data(a, buffer.data(), n);
      if (written < 0) check(static_cast<int>(written), path);
      left -= n;
    }
    char probe;
    if (data->read(&probe, 1) != 0) {
      broken = true;
      fail(ErrorKind::kIntegrity,
           fmt::format("tar entry {:?}: more data than the declared {} bytes", path, size));
    }
  }

  Writer& out;
  std::unique_ptr<archive, decltype(&archive_write_free)> archive_owner;
  archive* a;
  std::vector<char> buffer;
  std::exception_ptr pending;
  bool finished = false;
  bool broken = false;
  bool abandoned = false;
};

TarWriter::TarWriter(Writer& out) : impl_(std::make_unique<Impl>(out)) {
  impl_->open();
}

TarWriter::~TarWriter() = default;

void TarWriter::add_entry(const TarEntry& header, Reader* data) {
  Impl& s = *impl_;
  s.check_usable();
  unsigned filetype = filetype_of(header.type);
  if (filetype == 0) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("tar entry {:?}: cannot write an entry of unknown type", header.path));
  }
  EntryPtr entry(archive_entry_new(), &archive_entry_free);
  if (entry == nullptr) fail(ErrorKind::kInternal, "cannot allocate a tar entry");

  std::string path = header.path;
  if (header.type == TarEntry::Type::kDirectory && !path.empty() && path.back() != '/') path += '/';
  archive_entry_copy_pathname(entry.get(), path.c_str());
  archive_entry_set_filetype(entry.get(), filetype);
  archive_entry_set_perm(entry.get(), static_cast<mode_t>(header.mode & 07777));
  archive_entry_set_uid(entry.get(), header.uid);
  archive_entry_set_gid(entry.get(), header.gid);
  if (!header.uname.empty()) archive_entry_copy_uname(entry.get(), header.uname.c_str());
  if (!header.gname.empty()) archive_entry_copy_gname(entry.get(), header.gname.c_str());
  archive_entry_set_mtime(entry.get(), header.mtime_sec, static_cast<long>(header.mtime_nsec));
  uint64_t size = header.type == TarEntry::Type::kFile ? header.size : 0;
  archive_entry_set_size(entry.get(), static_cast<la_int64_t>(size));
  switch (header.type) {
    case TarEntry::Type::kHardlink:
      archive_entry_copy_hardlink(entry.get(), header.link_target.c_str());
      break;
    case TarEntry::Type::kSymlink:
      archive_entry_copy_symlink(entry.get(), header.link_target.c_str());
      break;
    case TarEntry::Type::kCharDevice:
    case TarEntry::Type::kBlockDevice:
      archive_entry_set_rdevmajor(entry.get(), header.dev_major);
      archive_entry_set_rdevminor(entry.get(), header.dev_minor);
      break;
    default:
      break;
  }
  for (const auto& [name, value] : header.xattrs) {
    archive_entry_xattr_add_entry(entry.get(), name.c_str(), value.data(), value.size());
  }

  s.check(archive_write_header(s.a, entry.get()), header.path);
  s.copy_data(header.path, size, header.type == TarEntry::Type::kFile ? data : nullptr);
  s.check(archive_write_finish_entry(s.a), header.path);
}

void TarWriter::add_file(std::string_view path, uint64_t size, Reader& data, uint32_t mode,
                         int64_t mtime) {
  TarEntry header;
  header.path = path;
  header.type = TarEntry::Type::kFile;
  header.size = size;
  header.mode = mode;
  header.mtime_sec = mtime;
  add_entry(header, &data);
}

void TarWriter::add_file(std::string_view path, std::string_view bytes, uint32_t mode,
                         int64_t mtime) {
  StringReader data(bytes);
  add_file(path, bytes.size(), data, mode, mtime);
}

void TarWriter::add_directory(std::string_view path, uint32_t mode, int64_t mtime) {
  TarEntry header;
  header.path = path;
  header.type = TarEntry::Type::kDirectory;
  header.mode = mode;
  header.mtime_sec = mtime;
  add_entry(header, nullptr);
}

void TarWriter::add_symlink(std::string_view path, std::string_view target, int64_t mtime) {
  TarEntry header;
  header.path = path;
  header.type = TarEntry::Type::kSymlink;
  header.mode = 0777;
  header.mtime_sec = mtime;
  header.link_target = target;
  add_entry(header, nullptr);
}

void TarWriter::finish() {
  Impl& s = *impl_;
  s.check_usable();
  s.check(archive_write_close(s.a), "");
  s.finished = true;
}

}  // namespace schicht

#ifdef SCHICHT_STATIC_LIBARCHIVE
// With a static libarchive, the pax writer's one call into archive_write_set_format.o (this
// helper of libarchive's, which reports an entry type a format cannot store) would link that
// file's table of every writer: 7zip, xar, zip, iso9660..., and libxml2, nettle and ICU behind
// them. schicht writes only pax, so it brings its own helper (same signature, same error code)
// and keeps those out of the binary. Defined in this file so it is linked before libarchive.a
// is searched.
extern "C" void __archive_write_entry_filetype_unsupported(archive* a, archive_entry* entry,
                                                           const char* format) {
  archive_set_error(a, EILSEQ,  // libarchive's file-format errno on Linux
                    "%s: %s format cannot archive file mode 0%o", archive_entry_pathname(entry),
                    format, static_cast<unsigned>(archive_entry_mode(entry)));
}
#endif
