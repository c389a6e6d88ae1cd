#include "trust/sigstore_key.h"

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sodium.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/fs.h"
#include "trust/base64.h"
#include "trust/policy.h"

namespace schicht::trust {
namespace {

// go-tuf's `encrypted` parameters; it refuses files with any others (a DoS guard), so do we.
constexpr uint64_t kScryptN = 32768;
constexpr uint64_t kScryptR = 8;
constexpr uint64_t kScryptP = 1;
constexpr size_t kSaltSize = 32;
constexpr std::string_view kPemType = "ENCRYPTED SIGSTORE PRIVATE KEY";
constexpr std::string_view kCosignPemType = "ENCRYPTED COSIGN PRIVATE KEY";

void init_sodium() {
  if (sodium_init() < 0) fail(ErrorKind::kInternal, "libsodium failed to initialize");
}

std::string openssl_error() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  char buffer[256];
  ERR_error_string_n(code, buffer, sizeof buffer);
  return buffer;
}

using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;

Bio memory_bio(std::string_view bytes) {
  Bio bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())), &BIO_free);
  if (!bio) fail(ErrorKind::kInternal, "BIO_new_mem_buf: " + openssl_error());
  return bio;
}

std::string bio_contents(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(size));
}

std::string scrypt_key(std::string_view passphrase, std::string_view salt) {
  std::string key(crypto_secretbox_KEYBYTES, '\0');
  // 128 * r * N bytes of work memory, plus slack: above OpenSSL's 32 MiB default limit.
  uint64_t max_memory = 128 * kScryptR * kScryptN * 2;
  if (EVP_PBE_scrypt(passphrase.data(), passphrase.size(),
                     reinterpret_cast<const unsigned char*>(salt.data()), salt.size(), kScryptN,
                     kScryptR, kScryptP, max_memory, reinterpret_cast<unsigned char*>(key.data()),
                     key.size()) != 1) {
    fail(ErrorKind::kInternal, "scrypt: " + openssl_error());
  }
  return key;
}

std::string random_bytes(size_t size) {
  init_sodium();
  std::string out(size, '\0');
  randombytes_buf(out.data(), out.size());
  return out;
}

std::string pkcs8_der(EVP_PKEY* key) {
  std::unique_ptr<PKCS8_PRIV_KEY_INFO, decltype(&PKCS8_PRIV_KEY_INFO_free)> info(
      EVP_PKEY2PKCS8(key), &PKCS8_PRIV_KEY_INFO_free);
  if (!info) fail(ErrorKind::kInternal, "EVP_PKEY2PKCS8: " + openssl_error());
  unsigned char* der = nullptr;
  int size = i2d_PKCS8_PRIV_KEY_INFO(info.get(), &der);
  if (size <= 0) fail(ErrorKind::kInternal, "i2d_PKCS8_PRIV_KEY_INFO: " + openssl_error());
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(size));
  OPENSSL_clear_free(der, static_cast<size_t>(size));
  return out;
}

// The JSON go-tuf's encrypted.Encrypt marshals, members in its struct order.
std::string seal(std::string_view plaintext, std::string_view passphrase) {
  std::string salt = random_bytes(kSaltSize);
  std::string nonce = random_bytes(crypto_secretbox_NONCEBYTES);
  std::string key = scrypt_key(passphrase, salt);
  std::string sealed(plaintext.size() + crypto_secretbox_MACBYTES, '\0');
  crypto_secretbox_easy(reinterpret_cast<unsigned char*>(sealed.data()),
                        reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
                        reinterpret_cast<const unsigned char*>(nonce.data()),
                        reinterpret_cast<const unsigned char*>(key.data()));
  sodium_memzero(key.data(), key.size());
  nlohmann::ordered_json doc;
  doc["kdf"]["name"] = "scrypt";
  doc["kdf"]["params"] = {{"N", kScryptN}, {"r", kScryptR}, {"p", kScryptP}};
  doc["kdf"]["salt"] = base64_encode(salt);
  doc["cipher"]["name"] = "nacl/secretbox";
  doc["cipher"]["nonce"] = base64_encode(nonce);
  doc["ciphertext"] = base64_encode(sealed);
  return doc.dump();
}

std::string pem_block(std::string_view type, std::string_view body) {
  Bio bio(BIO_new(BIO_s_mem()), &BIO_free);
  if (!bio || PEM_write_bio(bio.get(), std::string(type).c_str(), "",
                            reinterpret_cast<const unsigned char*>(body.data()),
                            static_cast<long>(body.size())) <= 0) {
    fail(ErrorKind::kInternal, "PEM_write_bio: " + openssl_error());
  }
  return bio_contents(bio.get());
}

// Opens go-tuf's JSON with `passphrase`: the PKCS#8 DER.
std::string open_sealed(std::string_view json_text, std::string_view passphrase,
                        const std::string& source) {
  auto bad = [&](const std::string& what) {
    fail(ErrorKind::kInvalidInput, fmt::format("sigstore private key {}: {}", source, what));
  };
  nlohmann::json doc = nlohmann::json::parse(json_text, nullptr, false);
  if (!doc.is_object()) bad("the PEM body is not JSON");
  auto text = [&](const nlohmann::json& parent, const char* key) -> std::string {
    auto it = parent.is_object() ? parent.find(key) : parent.end();
    if (it == parent.end() || !it->is_string()) bad(fmt::format("missing or invalid {:?}", key));
    return it->get<std::string>();
  };
  auto bytes = [&](const nlohmann::json& parent, const char* key) {
    std::optional<std::string> decoded = base64_decode(text(parent, key));
    if (!decoded) bad(fmt::format("{:?} is not base64", key));
    return *decoded;
  };
  const nlohmann::json& kdf = doc.contains("kdf") ? doc["kdf"] : nlohmann::json();
  const nlohmann::json& cipher = doc.contains("cipher") ? doc["cipher"] : nlohmann::json();
  if (std::string name = text(kdf, "name"); name != "scrypt") {
    bad(fmt::format("unknown kdf {:?}", name));
  }
  if (std::string name = text(cipher, "name"); name != "nacl/secretbox") {
    bad(fmt::format("unknown cipher {:?}", name));
  }
  const nlohmann::json params = kdf.value("params", nlohmann::json());
  if (!params.is_object() || params.value("N", 0ULL) != kScryptN ||
      params.value("r", 0ULL) != kScryptR || params.value("p", 0ULL) != kScryptP) {
    bad("unexpected scrypt parameters (expected N=32768, r=8, p=1)");
  }
  std::string salt = bytes(kdf, "salt");
  std::string nonce = bytes(cipher, "nonce");
  std::string sealed = bytes(doc, "ciphertext");
  if (nonce.size() != crypto_secretbox_NONCEBYTES) bad("the nonce is not 24 bytes");
  if (sealed.size() < crypto_secretbox_MACBYTES) bad("the ciphertext is truncated");
  std::string key = scrypt_key(passphrase, salt);
  std::string plain(sealed.size() - crypto_secretbox_MACBYTES, '\0');
  int opened = crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()),
                                          reinterpret_cast<const unsigned char*>(sealed.data()),
                                          sealed.size(),
                                          reinterpret_cast<const unsigned char*>(nonce.data()),
                                          reinterpret_cast<const unsigned char*>(key.data()));
  sodium_memzero(key.data(), key.size());
  if (opened != 0) {
    fail(ErrorKind::kAuth,
         fmt::format("decrypting sigstore private key {}: wrong passphrase (or the key file was "
                     "altered)",
                     source));
  }
  return plain;
}

}  // namespace

SigstoreKey::SigstoreKey(evp_pkey_st* key) : key_(key, &EVP_PKEY_free) {}

std::string SigstoreKey::public_pem() const {
  Bio bio(BIO_new(BIO_s_mem()), &BIO_free);
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1) {
    fail(ErrorKind::kInternal, "PEM_write_bio_PUBKEY: " + openssl_error());
  }
  return bio_contents(bio.get());
}

SigstoreKeyFiles generate_sigstore_key(std::string_view passphrase) {
  EVP_PKEY* raw = EVP_EC_gen("P-256");
  if (raw == nullptr) fail(ErrorKind::kInternal, "generating a P-256 key: " + openssl_error());
  SigstoreKey key(raw);
  std::string der = pkcs8_der(key.get());
  SigstoreKeyFiles files{.private_pem = pem_block(kPemType, seal(der, passphrase)),
                         .public_pem = key.public_pem()};
  sodium_memzero(der.data(), der.size());
  return files;
}

SigstoreKey load_sigstore_private_key(std::string_view pem, std::string_view passphrase,
                                      const std::string& source) {
  Bio bio = memory_bio(pem);
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long size = 0;
  if (PEM_read_bio(bio.get(), &name, &header, &data, &size) != 1) {
    ERR_clear_error();
    fail(ErrorKind::kInvalidInput,
         fmt::format("sigstore private key {}: no PEM block found", source));
  }
  std::string type = name;
  std::string body(reinterpret_cast<char*>(data), static_cast<size_t>(size));
  OPENSSL_free(name);
  OPENSSL_free(header);
  OPENSSL_free(data);
  if (type != kPemType && type != kCosignPemType) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("sigstore private key {}: unsupported PEM type {:?} (expected {:?})", source,
                     type, kPemType));
  }
  std::string der = open_sealed(body, passphrase, source);
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<PKCS8_PRIV_KEY_INFO, decltype(&PKCS8_PRIV_KEY_INFO_free)> info(
      d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(der.size())),
      &PKCS8_PRIV_KEY_INFO_free);
  sodium_memzero(der.data(), der.size());
  EVP_PKEY* key = info ? EVP_PKCS82PKEY(info.get()) : nullptr;
  if (key == nullptr) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("sigstore private key {}: not a PKCS#8 private key: {}", source,
                     openssl_error()));
  }
  return SigstoreKey(key);
}

SigstoreKey load_sigstore_public_key(std::string_view pem, const std::string& source) {
  Bio bio = memory_bio(pem);
  EVP_PKEY* key = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  if (key == nullptr) {
    ERR_clear_error();
    fail(ErrorKind::kInvalidInput,
         fmt::format("sigstore public key {}: no PEM \"PUBLIC KEY\" block found", source));
  }
  return SigstoreKey(key);
}

std::string read_passphrase_file(const std::string& path) {
  std::string content = with_context("reading passphrase", [&] { return read_file(path); });
  std::string line = content.substr(0, content.find('\n'));
  if (line.empty()) {
    fail(ErrorKind::kInvalidInput, fmt::format("empty passphrase in {}", path));
  }
  return line;
}

std::string sign_payload(const SigstoreKey& key, std::string_view payload) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  bool ed25519 = EVP_PKEY_get_base_id(key.get()) == EVP_PKEY_ED25519;
  size_t size = 0;
  if (!ctx ||
      EVP_DigestSignInit(ctx.get(), nullptr, ed25519 ? nullptr : EVP_sha256(), nullptr,
                         key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &size,
                     reinterpret_cast<const unsigned char*>(payload.data()), payload.size()) != 1) {
    fail(ErrorKind::kInternal, "signing: " + openssl_error());
  }
  std::string signature(size, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size,
                     reinterpret_cast<const unsigned char*>(payload.data()), payload.size()) != 1) {
    fail(ErrorKind::kInternal, "signing: " + openssl_error());
  }
  signature.resize(size);
  return base64_encode(signature);
}

void verify_payload(const std::vector<SigstoreKey>& keys, std::string_view payload,
                    std::string_view base64_signature) {
  std::optional<std::string> signature = base64_decode(base64_signature);
  if (!signature || signature->empty()) {
    fail(ErrorKind::kPolicy, "invalid signature: the signature annotation is not base64");
  }
  // An ECDSA key can only verify an ASN.1 ECDSA-Sig-Value: anything else is malformed, not
  // merely signed by someone else.
  const auto* der = reinterpret_cast<const unsigned char*>(signature->data());
  ECDSA_SIG* parsed = d2i_ECDSA_SIG(nullptr, &der, static_cast<long>(signature->size()));
  bool is_ecdsa =
      parsed != nullptr &&
      der == reinterpret_cast<const unsigned char*>(signature->data()) + signature->size();
  ECDSA_SIG_free(parsed);
  ERR_clear_error();
  bool all_ec = !keys.empty();
  for (const SigstoreKey& key : keys)
    all_ec = all_ec && EVP_PKEY_get_base_id(key.get()) == EVP_PKEY_EC;
  if (all_ec && !is_ecdsa) {
    fail(ErrorKind::kPolicy, "invalid signature: not an ASN.1 DER ECDSA signature");
  }
  for (const SigstoreKey& key : keys) {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    bool ed25519 = EVP_PKEY_get_base_id(key.get()) == EVP_PKEY_ED25519;
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, ed25519 ? nullptr : EVP_sha256(), nullptr,
                                     key.get()) != 1) {
      fail(ErrorKind::kInternal, "verifying: " + openssl_error());
    }
    int ok = EVP_DigestVerify(
        ctx.get(), reinterpret_cast<const unsigned char*>(signature->data()), signature->size(),
        reinterpret_cast<const unsigned char*>(payload.data()), payload.size());
    ERR_clear_error();
    if (ok == 1) return;
  }
  fail(ErrorKind::kPolicy,
       fmt::format("not signed by a trusted key: the signature verifies with none of the {} "
                   "trusted key(s) (another key signed it, or the payload or signature was "
                   "altered)",
                   keys.size()));
}

std::vector<SigstoreKey> trusted_sigstore_keys(const Requirement& r) {
  std::vector<SigstoreKey> keys;
  for (const std::string& path : r.key_paths) {
    std::string pem = with_context("reading sigstore public key", [&] { return read_file(path); });
    keys.push_back(load_sigstore_public_key(pem, path));
  }
  for (const std::string& data : r.key_datas) {
    std::string pem = base64_decode(data).value_or("");
    if (pem.empty()) fail(ErrorKind::kInvalidInput, "sigstoreSigned keyData is not base64");
    keys.push_back(load_sigstore_public_key(pem, "from keyData"));
  }
  return keys;
}

bool verifies(const SigstoreKey& key, std::string_view payload, std::string_view signature) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  bool ed25519 = EVP_PKEY_get_base_id(key.get()) == EVP_PKEY_ED25519;
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, ed25519 ? nullptr : EVP_sha256(), nullptr,
                                   key.get()) != 1) {
    fail(ErrorKind::kInternal, "verifying: " + openssl_error());
  }
  int ok = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                            signature.size(),
                            reinterpret_cast<const unsigned char*>(payload.data()), payload.size());
  ERR_clear_error();
  return ok == 1;
}

bool verifies_sha256_digest(const SigstoreKey& key, std::string_view digest,
                            std::string_view signature) {
  if (EVP_PKEY_get_base_id(key.get()) == EVP_PKEY_ED25519 || digest.size() != 32) return false;
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new(key.get(), nullptr), &EVP_PKEY_CTX_free);
  if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha256()) != 1) {
    fail(ErrorKind::kInternal, "verifying: " + openssl_error());
  }
  int ok = EVP_PKEY_verify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                           signature.size(), reinterpret_cast<const unsigned char*>(digest.data()),
                           digest.size());
  ERR_clear_error();
  return ok == 1;
}

bool same_public_key(const SigstoreKey& a, const SigstoreKey& b) {
  return EVP_PKEY_eq(a.get(), b.get()) == 1;
}

void reject_signature(std::string_view which, const std::string& detail) {
  fail(ErrorKind::kPolicy, fmt::format("invalid signature ({}): {}", which, detail));
}

}  // namespace schicht::trust
