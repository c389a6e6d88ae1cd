#include "core/digest.h"

// The low-level SHA-2 functions, deprecated in OpenSSL 3 in favour of EVP (see Hasher::State).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <array>
#include <cstring>

#include <fmt/format.h>

#include "core/error.h"

namespace schicht {
namespace {

constexpr std::array<bool, 256> kLowerHex = [] {
  std::array<bool, 256> table{};
  for (char c : std::string_view("0123456789abcdef")) table[static_cast<unsigned char>(c)] = true;
  return table;
}();

// Listing a store parses tens of thousands of digests: eight bytes at a time, no early exit.
// A byte b below 0x80 is at least k (1 <= k <= 0x80) when b + (0x80 - k) sets its top bit, and
// no byte's sum carries into the next one.
bool is_lower_hex(std::string_view s) {
  constexpr uint64_t kOnes = 0x0101010101010101, kTop = 0x8080808080808080;
  auto at_least = [&](uint64_t word, unsigned k) { return (word + kOnes * (0x80 - k)) & kTop; };
  bool ok = true;
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, s.data() + i, 8);
    uint64_t digit = at_least(word, '0') & ~at_least(word, '9' + 1);
    uint64_t letter = at_least(word, 'a') & ~at_least(word, 'f' + 1);
    ok &= (word & kTop) == 0 && (digit | letter) == kTop;
  }
  for (; i < s.size(); ++i) ok &= kLowerHex[static_cast<unsigned char>(s[i])];
  return ok;
}

}  // namespace

std::optional<Digest> Digest::try_parse(std::string_view text) {
  size_t colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view alg = text.substr(0, colon);
  std::string_view hex = text.substr(colon + 1);
  size_t want = alg == "sha256" ? 64 : alg == "sha512" ? 128 : 0;
  if (want == 0 || hex.size() != want || !is_lower_hex(hex)) return std::nullopt;
  return Digest(std::string(text), colon);
}

Digest Digest::parse(std::string_view text) {
  if (auto d = try_parse(text)) return *std::move(d);
  size_t colon = text.find(':');
  std::string_view alg = colon == std::string_view::npos ? "" : text.substr(0, colon);
  if (colon != std::string_view::npos && alg != "sha256" && alg != "sha512") {
    fail(ErrorKind::kInvalidInput,
         fmt::format("invalid digest {:?}: unsupported digest algorithm", std::string(text)));
  }
  fail(ErrorKind::kInvalidInput,
       fmt::format("invalid digest {:?}: invalid checksum digest format", std::string(text)));
}

bool Digest::is_sha256_hex(std::string_view text) {
  return text.size() == 64 && is_lower_hex(text);
}

Digest Digest::sha256_of(std::string_view bytes) {
  Hasher h;
  h.update(bytes);
  return h.finish();
}

DigestAlgorithm Digest::algorithm() const {
  return algorithm_name() == "sha512" ? DigestAlgorithm::kSha512 : DigestAlgorithm::kSha256;
}

// The low-level SHA-2 functions run the same code as EVP's (SHA-NI where the CPU has it)
// without OpenSSL 3's provider machinery: EVP's first digest loads the OpenSSL configuration and
// registers every algorithm name (~5 M instructions, half of an `inspect`), and each EVP init
// looks the algorithm up again (~9 k instructions a hash, which `image tree` pays per layer).
struct Hasher::State {
  union {
    SHA256_CTX sha256;
    SHA512_CTX sha512;
  };
};

Hasher::Hasher(DigestAlgorithm algorithm) : state_(new State), algorithm_(algorithm) {
  int ok = algorithm == DigestAlgorithm::kSha512 ? SHA512_Init(&state_->sha512)
                                                 : SHA256_Init(&state_->sha256);
  if (ok != 1) fail(ErrorKind::kInternal, "cannot initialise the digest context");
}

Hasher::~Hasher() = default;

void Hasher::update(const void* data, size_t size) {
  int ok = algorithm_ == DigestAlgorithm::kSha512 ? SHA512_Update(&state_->sha512, data, size)
                                                  : SHA256_Update(&state_->sha256, data, size);
  if (ok != 1) fail(ErrorKind::kInternal, "digest update failed");
}

Digest Hasher::finish() {
  unsigned char md[SHA512_DIGEST_LENGTH];
  unsigned int len =
      algorithm_ == DigestAlgorithm::kSha512 ? SHA512_DIGEST_LENGTH : SHA256_DIGEST_LENGTH;
  int ok = algorithm_ == DigestAlgorithm::kSha512 ? SHA512_Final(md, &state_->sha512)
                                                  : SHA256_Final(md, &state_->sha256);
  if (ok != 1) fail(ErrorKind::kInternal, "digest finalisation failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = algorithm_ == DigestAlgorithm::kSha512 ? "sha512:" : "sha256:";
  size_t colon = out.size() - 1;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return *Digest::try_parse(out.substr(0, colon + 1 + 2 * len));
}

size_t HashingReader::read(void* buffer, size_t size) {
  size_t n = inner_.read(buffer, size);
  hasher_.update(buffer, n);
  count_ += n;
  return n;
}

void HashingWriter::write(const void* data, size_t size) {
  hasher_.update(data, size);
  count_ += size;
  if (inner_ != nullptr) inner_->write(data, size);
}

Digest chain_id(const Digest& parent_chain, const Digest& diff_id) {
  return Digest::sha256_of(parent_chain.str() + " " + diff_id.str());
}

}  // namespace schicht
