#include "archive/tar_headers.h"

#include <algorithm>
#include <array>

namespace schicht {
namespace {

constexpr size_t kBlock = 512;
constexpr size_t kTypeflag = 156;
constexpr size_t kSizeField = 124;
constexpr size_t kSizeLength = 12;

// The size field: octal digits (blank or NUL padded), or GNU's base-256 with the high bit set.
// nullopt for a size no chain in memory can have.
std::optional<uint64_t> size_of(std::string_view header) {
  std::string_view field = header.substr(kSizeField, kSizeLength);
  uint64_t size = 0;
  if ((static_cast<unsigned char>(field[0]) & 0x80) != 0) {
    for (size_t i = 0; i < field.size(); ++i) {
      unsigned byte = static_cast<unsigned char>(field[i]) & (i == 0 ? 0x7f : 0xff);
      if (size >> 55 != 0) return std::nullopt;
      size = size << 8 | byte;
    }
    return size;
  }
  size_t i = 0;
  while (i < field.size() && field[i] == ' ') ++i;
  for (; i < field.size() && field[i] >= '0' && field[i] <= '7'; ++i) {
    size = size << 3 | static_cast<uint64_t>(field[i] - '0');
  }
  return size;
}

bool names_a_path_or_owner(std::string_view key) {
  constexpr std::array<std::string_view, 5> kKeys = {"path", "linkpath", "uname", "gname",
                                                     "GNU.sparse.name"};
  return std::find(kKeys.begin(), kKeys.end(), key) != kKeys.end();
}

// Records are "<length> <key>=<value>\n", the length counting the whole record.
std::optional<std::string> check_records(std::string_view body) {
  size_t pos = 0;
  while (pos < body.size() && body[pos] >= '0' && body[pos] <= '9') {
    size_t length = 0;
    size_t i = pos;
    for (; i < body.size() && body[i] >= '0' && body[i] <= '9'; ++i) {
      if (length > body.size()) return std::nullopt;
      length = length * 10 + static_cast<size_t>(body[i] - '0');
    }
    if (i >= body.size() || body[i] != ' ' || length <= i - pos || length > body.size() - pos) {
      return std::nullopt;
    }
    std::string_view record = body.substr(i + 1, pos + length - (i + 1));
    if (!record.empty() && record.back() == '\n') record.remove_suffix(1);
    size_t equals = record.find('=');
    if (equals == std::string_view::npos) return std::nullopt;
    std::string_view key = record.substr(0, equals);
    std::string_view value = record.substr(equals + 1);
    if (names_a_path_or_owner(key) && value.find('\0') != std::string_view::npos) {
      return std::string(key);
    }
    pos += length;
  }
  return std::nullopt;
}

}  // namespace

void HeaderWindow::append(const char* data, size_t size) {
  bytes_.append(data, size);
  size_t keep = holding_ ? kMaxHeld : kKeep;
  // Dropping in steps of at least `keep` bytes moves each byte about once.
  if (bytes_.size() > 2 * keep) {
    size_t drop = bytes_.size() - keep;
    bytes_.erase(0, drop);
    start_ += drop;
  }
}

std::optional<std::string_view> HeaderWindow::since(uint64_t offset) const {
  if (offset < start_ || offset - start_ > bytes_.size()) return std::nullopt;
  return std::string_view(bytes_).substr(static_cast<size_t>(offset - start_));
}

std::optional<std::string> pax_record_with_nul(std::string_view chain) {
  size_t pos = 0;
  while (chain.size() - pos >= kBlock) {
    std::string_view header = chain.substr(pos, kBlock);
    if (std::all_of(header.begin(), header.end(), [](char c) { return c == '\0'; })) break;
    char type = header[kTypeflag];
    if (type == 'V') {  // libarchive reads no body for a volume header
      pos += kBlock;
      continue;
    }
    if (type != 'x' && type != 'X' && type != 'g' && type != 'L' && type != 'K' && type != 'A') {
      break;  // the entry's own header ends the chain
    }
    std::optional<uint64_t> size = size_of(header);
    if (!size || *size > chain.size() - pos - kBlock) break;
    if (type == 'x' || type == 'X') {
      if (auto key = check_records(chain.substr(pos + kBlock, static_cast<size_t>(*size)))) {
        return key;
      }
    }
    uint64_t padded = (*size + kBlock - 1) / kBlock * kBlock;
    if (padded > chain.size() - pos - kBlock) break;
    pos += kBlock + static_cast<size_t>(padded);
  }
  return std::nullopt;
}

std::optional<uint64_t> header_chain_length(std::string_view chain) {
  size_t pos = 0;
  while (chain.size() - pos >= kBlock) {
    std::string_view header = chain.substr(pos, kBlock);
    char type = header[kTypeflag];
    if (type == 'V') {
      pos += kBlock;
      continue;
    }
    if (type != 'x' && type != 'X' && type != 'g' && type != 'L' && type != 'K' && type != 'A') {
      return pos + kBlock;
    }
    std::optional<uint64_t> size = size_of(header);
    if (!size) return std::nullopt;
    uint64_t padded = (*size + kBlock - 1) / kBlock * kBlock;
    if (padded > chain.size() - pos - kBlock) return std::nullopt;
    pos += kBlock + static_cast<size_t>(padded);
  }
  return std::nullopt;
}

}  // namespace schicht
