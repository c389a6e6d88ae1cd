// The raw header blocks of a tar entry, which libarchive parses but does not show.
//
// libarchive reads a PAX `path` record as a C string, so `path=etc/passwd\0.x` silently becomes
// "etc/passwd" and the entry is written there; Go's archive/tar, and so podman, refuses such a
// header as invalid. To refuse it too, TarReader keeps the most recent bytes of its input in a
// HeaderWindow and, once libarchive has read an entry's headers, looks at the PAX records as
// they were written. The walk follows libarchive's own header chain (extension headers 'x', 'X',
// 'g', 'L', 'K', 'A', 'V' before the entry's header) from the position libarchive reports, so
// the two never disagree about where a header is.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace schicht {

class HeaderWindow {
 public:
  // Bytes kept while not holding: more than libarchive can have read ahead and not yet consumed
  // (one input buffer of kIoBufferSize, plus a header it is assembling).
  static constexpr size_t kKeep = size_t{2} << 20;
  // The most kept while holding: every real header chain is far smaller (libarchive refuses
  // PAX headers over 1 MiB); a larger one (a giant 'g' header) cannot be checked.
  static constexpr size_t kMaxHeld = size_t{32} << 20;

  // Every byte of the stream, in order.
  void append(const char* data, size_t size);
  // While holding (libarchive reads headers), bytes are dropped only past kMaxHeld.
  void hold(bool on) { holding_ = on; }
  // `size` bytes of the stream passed over unseen (a seek over an entry's data): the kept bytes
  // are dropped, as no header chain before the gap is asked for after it.
  void skip(uint64_t size) {
    start_ += bytes_.size() + size;
    bytes_.clear();
  }
  // The bytes from stream offset `offset` to the latest one; nullopt when some were dropped.
  std::optional<std::string_view> since(uint64_t offset) const;

 private:
  std::string bytes_;
  uint64_t start_ = 0;  // the stream offset of bytes_[0]
  bool holding_ = false;
};

// Walks the header chain at the start of `chain` (an entry's extension headers, its header and
// whatever follows) and returns the key of the first PAX record of an extended header ('x' or
// 'X') that names a path or an owner (path, linkpath, uname, gname, GNU.sparse.name) and holds a
// NUL byte; nullopt when there is none. A chain that ends early, or records that do not parse,
// end the walk: libarchive has already judged their structure.
std::optional<std::string> pax_record_with_nul(std::string_view chain);

// The length of the header chain at the start of `chain` (extension headers and the entry's own
// header): where the entry's data begins. nullopt when the chain does not fit in `chain`.
std::optional<uint64_t> header_chain_length(std::string_view chain);

}  // namespace schicht
