// Content digests ("sha256:<hex>", "sha512:<hex>") and a streaming hasher on OpenSSL EVP.
//
// A Digest is always valid once constructed: parse() rejects uppercase hex, wrong lengths and
// unknown algorithms with kInvalidInput. Values are cheap to copy and compare.
#pragma once

#include <compare>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/io.h"

namespace schicht {

enum class DigestAlgorithm { kSha256, kSha512 };

class Digest {
 public:
  static Digest parse(std::string_view text);
  static std::optional<Digest> try_parse(std::string_view text);
  // True for a bare 64-hex sha256 (an image ID as c/storage prints it).
  static bool is_sha256_hex(std::string_view text);
  static Digest sha256_of(std::string_view bytes);
  static Digest from_sha256_hex(std::string_view hex) { return parse(std::string("sha256:") += hex); }

  DigestAlgorithm algorithm() const;
  std::string_view algorithm_name() const { return std::string_view(value_).substr(0, colon_); }
  std::string_view hex() const { return std::string_view(value_).substr(colon_ + 1); }
  const std::string& str() const { return value_; }
  // The first 12 hex digits: the short image ID podman prints.
  std::string short_hex() const { return std::string(hex().substr(0, 12)); }

  auto operator<=>(const Digest& other) const { return value_ <=> other.value_; }
  bool operator==(const Digest& other) const { return value_ == other.value_; }

 private:
  Digest(std::string value, size_t colon) : value_(std::move(value)), colon_(colon) {}
  std::string value_;
  size_t colon_;
};

class Hasher {
 public:
  explicit Hasher(DigestAlgorithm algorithm = DigestAlgorithm::kSha256);
  ~Hasher();
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;

  void update(const void* data, size_t size);
  void update(std::string_view data) { update(data.data(), data.size()); }
  // Finishes the hash; the hasher must not be used afterwards.
  Digest finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
  DigestAlgorithm algorithm_;
};

// A Reader that hashes and counts everything read through it.
class HashingReader final : public Reader {
 public:
  explicit HashingReader(Reader& inner, DigestAlgorithm algorithm = DigestAlgorithm::kSha256)
      : inner_(inner), hasher_(algorithm) {}
  size_t read(void* buffer, size_t size) override;
  uint64_t count() const { return count_; }
  Digest finish() { return hasher_.finish(); }

 private:
  Reader& inner_;
  Hasher hasher_;
  uint64_t count_ = 0;
};

// A Writer that hashes and counts everything, then passes it on (to `inner` when given).
class HashingWriter final : public Writer {
 public:
  explicit HashingWriter(Writer* inner = nullptr,
                         DigestAlgorithm algorithm = DigestAlgorithm::kSha256)
      : inner_(inner), hasher_(algorithm) {}
  using Writer::write;
  void write(const void* data, size_t size) override;
  uint64_t count() const { return count_; }
  Digest finish() { return hasher_.finish(); }

 private:
  Writer* inner_;
  Hasher hasher_;
  uint64_t count_ = 0;
};

// ChainID(L0) = DiffID(L0); ChainID(L0..Ln) = sha256(ChainID(L0..Ln-1) + " " + DiffID(Ln)).
Digest chain_id(const Digest& parent_chain, const Digest& diff_id);

}  // namespace schicht
