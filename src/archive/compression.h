// Stream compression: format detection by magic bytes, a decompressing Reader and a compressing
// Writer for the layer compressions of OCI images.
//
// gzip goes through ISA-L (igzip), zstd through libzstd; bzip2 and xz can be read (libarchive's
// filters) but not written. Every stream object is a single-threaded, non-copyable object that
// borrows the Reader or Writer it wraps: the wrapped stream must outlive it.
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "core/io.h"

namespace schicht {

enum class Compression { kNone, kGzip, kZstd, kBzip2, kXz };

// The longest magic number detect_compression() looks at.
inline constexpr size_t kCompressionMagicSize = 6;

// Sniffs the format from the first bytes of a stream (up to kCompressionMagicSize are used).
// Anything unrecognised, including a too-short head, is kNone.
Compression detect_compression(std::string_view head);

// "none", "gzip", "zstd", "bzip2", "xz".
std::string_view compression_name(Compression compression);

// The inverse of compression_name(); nullopt for an unknown name.
std::optional<Compression> parse_compression(std::string_view name);

// Decompresses whatever `raw` holds, detected from its first bytes. Uncompressed input passes
// through unchanged. A corrupt, truncated or trailing-garbage stream fails with kInvalidInput
// ("...: unexpected end of compressed stream" for a truncation).
class DecompressingReader : public Reader {
 public:
  virtual Compression compression() const = 0;
};

// Peeks at the first bytes of `raw` (reading them) and returns a reader of the decompressed
// stream; those bytes are replayed, so nothing of `raw` is lost.
std::unique_ptr<DecompressingReader> decompress(Reader& raw);

// A Writer that compresses into another one. finish() writes the end of the stream and must be
// called once after the last write(); destroying an unfinished writer leaves a truncated stream
// (which is what an abandoned, failed write wants). Writes after finish() are kInternal errors.
class CompressingWriter : public Writer {
 public:
  using Writer::write;
  virtual void finish() = 0;
};

// Any negative level asks for the format's default.
inline constexpr int kDefaultCompressionLevel = -1;

// Compresses into `out` as `compression` (kNone passes bytes through).
// Levels: gzip takes zlib's 0..9 scale, mapped onto ISA-L's four levels (0..1 -> 0, 2..3 -> 1,
// 4..6 -> 2, 7..9 -> 3; the default is ISA-L level 1, its fast general-purpose setting); zstd
// takes its own 1..22 (default 3). bzip2 and xz fail with kUnsupported.
std::unique_ptr<CompressingWriter> compress(Writer& out, Compression compression,
                                            int level = kDefaultCompressionLevel);

}  // namespace schicht
