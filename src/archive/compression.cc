#include "archive/compression.h"

#include <archive.h>
#include <isa-l/igzip_lib.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "core/error.h"

namespace schicht {
namespace {

constexpr unsigned char kGzipMagic[] = {0x1f, 0x8b, 0x08};
constexpr unsigned char kZstdMagic[] = {0x28, 0xb5, 0x2f, 0xfd};
constexpr unsigned char kBzip2Magic[] = {'B', 'Z', 'h'};
constexpr unsigned char kXzMagic[] = {0xfd, '7', 'z', 'X', 'Z', 0x00};

template <size_t N>
bool starts_with(std::string_view head, const unsigned char (&magic)[N]) {
  return head.size() >= N && std::memcmp(head.data(), magic, N) == 0;
}

// ISA-L and the libarchive callbacks count in 32 bits; clamp each step to this.
constexpr size_t kMaxStep = size_t{1} << 30;

[[noreturn]] void fail_truncated(Compression compression) {
  fail(ErrorKind::kInvalidInput,
       fmt::format("{}: unexpected end of compressed stream", compression_name(compression)));
}

// The bytes read to detect the format, replayed before the rest of the raw stream.
struct Head {
  char bytes[kCompressionMagicSize];
  size_t size = 0;
};

Head read_head(Reader& raw) {
  Head head;
  while (head.size < sizeof head.bytes) {
    size_t n = raw.read(head.bytes + head.size, sizeof head.bytes - head.size);
    if (n == 0) break;
    head.size += n;
  }
  return head;
}

class PassthroughReader final : public DecompressingReader {
 public:
  PassthroughReader(Reader& raw, const Head& head) : raw_(raw), head_(head) {}
  Compression compression() const override { return Compression::kNone; }

  size_t read(void* buffer, size_t size) override {
    if (head_pos_ < head_.size) {
      size_t n = std::min(size, head_.size - head_pos_);
      std::memcpy(buffer, head_.bytes + head_pos_, n);
      head_pos_ += n;
      return n;
    }
    return raw_.read(buffer, size);
  }

 private:
  Reader& raw_;
  Head head_;
  size_t head_pos_ = 0;
};

// Holds the compressed input: starts with the sniffed head, then refills from the raw stream.
class InputBuffer {
 public:
  InputBuffer(Reader& raw, const Head& head) : raw_(raw) {
    std::memcpy(buffer_.data(), head.bytes, head.size);
    end_ = head.size;
  }

  // Reads more raw bytes once the buffer is consumed; false at the end of the raw stream.
  bool refill() {
    if (eof_) return false;
    size_t n = raw_.read(buffer_.data(), buffer_.size());
    if (n == 0) {
      eof_ = true;
      return false;
    }
    end_ = n;
    return true;
  }

  uint8_t* data() { return reinterpret_cast<uint8_t*>(buffer_.data()); }
  size_t filled() const { return end_; }
  bool eof() const { return eof_; }

 private:
  Reader& raw_;
  IoBuffer buffer_;
  size_t end_ = 0;
  bool eof_ = false;
};

// gzip, possibly several members back to back (pigz, concatenated files). ISA-L parses each
// member's header, inflates it and checks its CRC32 and length trailer.
class GzipReader final : public DecompressingReader {
 public:
  GzipReader(Reader& raw, const Head& head) : input_(raw, head), state_(new inflate_state) {
    isal_inflate_init(state_.get());
    state_->crc_flag = ISAL_GZIP;
    state_->next_in = input_.data();
    state_->avail_in = static_cast<uint32_t>(input_.filled());
  }
  Compression compression() const override { return Compression::kGzip; }

  size_t read(void* buffer, size_t size) override {
    if (size == 0 || done_) return 0;
    size = std::min(size, kMaxStep);
    for (;;) {
      if (!between_members_) {
        state_->next_out = static_cast<uint8_t*>(buffer);
        state_->avail_out = static_cast<uint32_t>(size);
        uint32_t avail_in_before = state_->avail_in;
        int rc = isal_inflate(state_.get());
        if (rc < 0) fail_corrupt(rc);
        size_t produced = size - state_->avail_out;
        if (state_->block_state == ISAL_BLOCK_FINISH) {
          // The trailer checked out. isal_inflate_reset() keeps next_in/avail_in, so whatever
          // follows in the buffer is examined as the next member.
          isal_inflate_reset(state_.get());
          between_members_ = true;
        }
        if (produced > 0) return produced;
        if (!between_members_ && state_->avail_in > 0) {
          // ISA-L returns only when the input or the output is exhausted.
          if (state_->avail_in == avail_in_before) {
            fail(ErrorKind::kInternal, "gzip: the decompressor made no progress");
          }
          continue;
        }
      }
      if (state_->avail_in == 0) {
        if (!input_.refill()) {
          if (between_members_) {
            done_ = true;
            return 0;
          }
          fail_truncated(Compression::kGzip);
        }
        state_->next_in = input_.data();
        state_->avail_in = static_cast<uint32_t>(input_.filled());
      }
      if (between_members_) {
        // Another member must start right here; anything else is garbage after the stream.
        if (state_->next_in[0] != kGzipMagic[0]) {
          fail(ErrorKind::kInvalidInput,
               "gzip: invalid data after the end of the compressed stream");
        }
        between_members_ = false;
      }
    }
  }

 private:
  [[noreturn]] static void fail_corrupt(int rc) {
    const char* why = "corrupt compressed data";
    switch (rc) {
      case ISAL_INVALID_WRAPPER:
        why = "invalid gzip header";
        break;
      case ISAL_UNSUPPORTED_METHOD:
        why = "unsupported compression method";
        break;
      case ISAL_INCORRECT_CHECKSUM:
        why = "checksum mismatch";
        break;
      case ISAL_NEED_DICT:
        why = "a preset dictionary is required";
        break;
      default:
        break;
    }
    fail(ErrorKind::kInvalidInput, fmt::format("gzip: {}", why));
  }

  InputBuffer input_;
  // inflate_state is large (tens of KiB of tables): keep it off the stack and out of line.
  std::unique_ptr<inflate_state> state_;
  bool between_members_ = false;
  bool done_ = false;
};

// zstd, any number of frames (skippable frames included). A frame that has not ended when the
// input does is a truncation.
class ZstdReader final : public DecompressingReader {
 public:
  ZstdReader(Reader& raw, const Head& head) : input_(raw, head), stream_(ZSTD_createDStream()) {
    if (stream_ == nullptr) fail(ErrorKind::kInternal, "zstd: cannot allocate a decoder");
    in_ = {input_.data(), input_.filled(), 0};
  }
  ~ZstdReader() override { ZSTD_freeDStream(stream_); }
  ZstdReader(const ZstdReader&) = delete;
  ZstdReader& operator=(const ZstdReader&) = delete;
  Compression compression() const override { return Compression::kZstd; }

  size_t read(void* buffer, size_t size) override {
    if (size == 0) return 0;
    for (;;) {
      if (in_.pos == in_.size && input_.refill()) in_ = {input_.data(), input_.filled(), 0};
      ZSTD_outBuffer out = {buffer, size, 0};
      size_t before = in_.pos;
      size_t rc = ZSTD_decompressStream(stream_, &out, &in_);
      if (ZSTD_isError(rc)) {
        fail(ErrorKind::kInvalidInput, fmt::format("zstd: {}", ZSTD_getErrorName(rc)));
      }
      // 0 means a frame just ended and everything it holds has been flushed. A call that
      // consumed and produced nothing says nothing new (it would report the next frame's
      // header size).
      if (in_.pos != before || out.pos > 0) frame_open_ = rc != 0;
      if (out.pos > 0) return out.pos;
      if (in_.pos == in_.size && input_.eof()) {
        if (frame_open_) fail_truncated(Compression::kZstd);
        return 0;
      }
      if (in_.pos == before && in_.pos < in_.size) {
        fail(ErrorKind::kInternal, "zstd: the decompressor made no progress");
      }
    }
  }

 private:
  InputBuffer input_;
  ZSTD_DStream* stream_;
  ZSTD_inBuffer in_;
  bool frame_open_ = true;
};

// bzip2 and xz are rare in images; libarchive's filters decode them, behind its "raw" format
// which presents the decompressed stream as a single entry.
class LibarchiveFilterReader final : public DecompressingReader {
 public:
  LibarchiveFilterReader(Reader& raw, const Head& head, Compression compression)
      : raw_(raw),
        head_(head),
        compression_(compression),
        owner_(archive_read_new(), &archive_read_free),
        archive_(owner_.get()) {
    if (archive_ == nullptr) fail(ErrorKind::kInternal, "cannot allocate a libarchive reader");
    int rc = compression == Compression::kBzip2 ? archive_read_support_filter_bzip2(archive_)
                                                : archive_read_support_filter_xz(archive_);
    if (rc != ARCHIVE_OK) {
      // ARCHIVE_WARN means libarchive would run an external program: not what we want.
      fail(ErrorKind::kUnsupported, fmt::format("{}-compressed data is not supported by this build",
                                                compression_name(compression)));
    }
    archive_read_support_format_raw(archive_);
    if (archive_read_open(archive_, this, nullptr, &LibarchiveFilterReader::read_callback,
                          nullptr) != ARCHIVE_OK) {
      fail_from_archive();
    }
    archive_entry* entry = nullptr;
    if (archive_read_next_header(archive_, &entry) != ARCHIVE_OK) fail_from_archive();
  }
  Compression compression() const override { return compression_; }

  size_t read(void* buffer, size_t size) override {
    if (size == 0) return 0;
    la_ssize_t n = archive_read_data(archive_, buffer, std::min(size, kMaxStep));
    if (n < 0) fail_from_archive();
    return static_cast<size_t>(n);
  }

 private:
  static la_ssize_t read_callback(archive* a, void* self_ptr, const void** out) {
    auto* self = static_cast<LibarchiveFilterReader*>(self_ptr);
    try {
      *out = self->buffer_.data();
      if (self->head_pos_ < self->head_.size) {
        size_t n = self->head_.size - self->head_pos_;
        std::memcpy(self->buffer_.data(), self->head_.bytes + self->head_pos_, n);
        self->head_pos_ = self->head_.size;
        return static_cast<la_ssize_t>(n);
      }
      return static_cast<la_ssize_t>(self->raw_.read(self->buffer_.data(), self->buffer_.size()));
    } catch (...) {
      // Exceptions must not unwind through libarchive's C frames: park it, rethrow later.
      self->pending_ = std::current_exception();
      archive_set_error(a, EIO, "read failed");
      return -1;
    }
  }

  [[noreturn]] void fail_from_archive() {
    if (pending_) std::rethrow_exception(std::exchange(pending_, nullptr));
    const char* message = archive_error_string(archive_);
    std::string why = message ? message : "corrupt compressed data";
    if (why.find("runcated") != std::string::npos ||
        why.find("nexpected end") != std::string::npos ||
        why.find("premature end") != std::string::npos) {
      fail_truncated(compression_);
    }
    fail(ErrorKind::kInvalidInput, fmt::format("{}: {}", compression_name(compression_), why));
  }

  Reader& raw_;
  Head head_;
  size_t head_pos_ = 0;
  Compression compression_;
  std::unique_ptr<archive, decltype(&archive_read_free)> owner_;
  archive* archive_;
  IoBuffer buffer_;
  std::exception_ptr pending_;
};

class PassthroughWriter final : public CompressingWriter {
 public:
  explicit PassthroughWriter(Writer& out) : out_(out) {}
  using CompressingWriter::write;
  void write(const void* data, size_t size) override {
    if (finished_) fail(ErrorKind::kInternal, "write after finish");
    out_.write(data, size);
  }
  void finish() override { finished_ = true; }

 private:
  Writer& out_;
  bool finished_ = false;
};

int isal_level_for(int level) {
  if (level < 0) return 1;
  if (level <= 1) return 0;
  if (level <= 3) return 1;
  if (level <= 6) return 2;
  return 3;
}

size_t isal_level_buffer_size(int isal_level) {
  switch (isal_level) {
    case 0:
      return ISAL_DEF_LVL0_DEFAULT;
    case 1:
      return ISAL_DEF_LVL1_DEFAULT;
    case 2:
      return ISAL_DEF_LVL2_DEFAULT;
    default:
      return ISAL_DEF_LVL3_DEFAULT;
  }
}

// A single gzip member with ISA-L's generic header (no name, mtime 0) and the CRC32 trailer.
class GzipWriter final : public CompressingWriter {
 public:
  GzipWriter(Writer& out, int level)
      : out_(out), stream_(new isal_zstream), output_(kIoBufferSize) {
    isal_deflate_init(stream_.get());
    int isal_level = isal_level_for(level);
    level_buffer_.resize(isal_level_buffer_size(isal_level));
    stream_->level = static_cast<uint32_t>(isal_level);
    stream_->level_buf = level_buffer_.data();
    stream_->level_buf_size = static_cast<uint32_t>(level_buffer_.size());
    stream_->gzip_flag = IGZIP_GZIP;
    stream_->flush = NO_FLUSH;
  }
  using CompressingWriter::write;

  void write(const void* data, size_t size) override {
    if (finished_) fail(ErrorKind::kInternal, "gzip: write after finish");
    const uint8_t* p = static_cast<const uint8_t*>(data);
    while (size > 0) {
      size_t step = std::min(size, kMaxStep);
      stream_->next_in = const_cast<uint8_t*>(p);
      stream_->avail_in = static_cast<uint32_t>(step);
      while (stream_->avail_in > 0) deflate_step();
      p += step;
      size -= step;
    }
  }

  void finish() override {
    if (finished_) return;
    finished_ = true;
    stream_->next_in = nullptr;
    stream_->avail_in = 0;
    stream_->end_of_stream = 1;
    while (stream_->internal_state.state != ZSTATE_END) deflate_step();
  }

 private:
  void deflate_step() {
    stream_->next_out = output_.data();
    stream_->avail_out = static_cast<uint32_t>(output_.size());
    int rc = isal_deflate(stream_.get());
    if (rc != COMP_OK) fail(ErrorKind::kInternal, fmt::format("gzip: compression failed ({})", rc));
    size_t produced = output_.size() - stream_->avail_out;
    if (produced > 0) out_.write(output_.data(), produced);
  }

  Writer& out_;
  std::unique_ptr<isal_zstream> stream_;
  std::vector<uint8_t> level_buffer_;
  std::vector<uint8_t> output_;
  bool finished_ = false;
};

// One zstd frame with a content checksum, as the zstd tool writes by default.
class ZstdWriter final : public CompressingWriter {
 public:
  ZstdWriter(Writer& out, int level)
      : out_(out), context_(ZSTD_createCCtx()), output_(ZSTD_CStreamOutSize()) {
    if (context_ == nullptr) fail(ErrorKind::kInternal, "zstd: cannot allocate an encoder");
    if (level < 0) level = ZSTD_CLEVEL_DEFAULT;
    level = std::clamp(level, 1, ZSTD_maxCLevel());
    check(ZSTD_CCtx_setParameter(context_, ZSTD_c_compressionLevel, level));
    check(ZSTD_CCtx_setParameter(context_, ZSTD_c_checksumFlag, 1));
  }
  ~ZstdWriter() override { ZSTD_freeCCtx(context_); }
  ZstdWriter(const ZstdWriter&) = delete;
  ZstdWriter& operator=(const ZstdWriter&) = delete;
  using CompressingWriter::write;

  void write(const void* data, size_t size) override {
    if (finished_) fail(ErrorKind::kInternal, "zstd: write after finish");
    ZSTD_inBuffer in = {data, size, 0};
    while (in.pos < in.size) compress_step(in, ZSTD_e_continue);
  }

  void finish() override {
    if (finished_) return;
    finished_ = true;
    ZSTD_inBuffer in = {nullptr, 0, 0};
    while (compress_step(in, ZSTD_e_end) != 0) {
    }
  }

 private:
  static size_t check(size_t rc) {
    if (ZSTD_isError(rc)) {
      fail(ErrorKind::kInternal, fmt::format("zstd: {}", ZSTD_getErrorName(rc)));
    }
    return rc;
  }

  // Returns what ZSTD_compressStream2 has left to flush (0 once an ZSTD_e_end frame is done).
  size_t compress_step(ZSTD_inBuffer& in, ZSTD_EndDirective mode) {
    ZSTD_outBuffer out = {output_.data(), output_.size(), 0};
    size_t left = check(ZSTD_compressStream2(context_, &out, &in, mode));
    if (out.pos > 0) out_.write(output_.data(), out.pos);
    return left;
  }

  Writer& out_;
  ZSTD_CCtx* context_;
  std::vector<char> output_;
  bool finished_ = false;
};

}  // namespace

Compression detect_compression(std::string_view head) {
  if (starts_with(head, kGzipMagic)) return Compression::kGzip;
  if (starts_with(head, kZstdMagic)) return Compression::kZstd;
  if (starts_with(head, kBzip2Magic)) return Compression::kBzip2;
  if (starts_with(head, kXzMagic)) return Compression::kXz;
  return Compression::kNone;
}

std::string_view compression_name(Compression compression) {
  switch (compression) {
    case Compression::kNone:
      return "none";
    case Compression::kGzip:
      return "gzip";
    case Compression::kZstd:
      return "zstd";
    case Compression::kBzip2:
      return "bzip2";
    case Compression::kXz:
      return "xz";
  }
  return "unknown";
}

std::optional<Compression> parse_compression(std::string_view name) {
  for (Compression c : {Compression::kNone, Compression::kGzip, Compression::kZstd,
                        Compression::kBzip2, Compression::kXz}) {
    if (compression_name(c) == name) return c;
  }
  return std::nullopt;
}

std::unique_ptr<DecompressingReader> decompress(Reader& raw) {
  Head head = read_head(raw);
  switch (detect_compression(std::string_view(head.bytes, head.size))) {
    case Compression::kNone:
      return std::make_unique<PassthroughReader>(raw, head);
    case Compression::kGzip:
      return std::make_unique<GzipReader>(raw, head);
    case Compression::kZstd:
      return std::make_unique<ZstdReader>(raw, head);
    case Compression::kBzip2:
      return std::make_unique<LibarchiveFilterReader>(raw, head, Compression::kBzip2);
    case Compression::kXz:
      return std::make_unique<LibarchiveFilterReader>(raw, head, Compression::kXz);
  }
  fail(ErrorKind::kInternal, "unknown compression");
}

std::unique_ptr<CompressingWriter> compress(Writer& out, Compression compression, int level) {
  switch (compression) {
    case Compression::kNone:
      return std::make_unique<PassthroughWriter>(out);
    case Compression::kGzip:
      return std::make_unique<GzipWriter>(out, level);
    case Compression::kZstd:
      return std::make_unique<ZstdWriter>(out, level);
    case Compression::kBzip2:
    case Compression::kXz:
      break;
  }
  fail(ErrorKind::kUnsupported,
       fmt::format("writing {}-compressed data is not supported", compression_name(compression)));
}

}  // namespace schicht
