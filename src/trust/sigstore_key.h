// Sigstore (cosign) signing keys: generating a key pair, the encrypted private key file, public
// keys, and signing and verifying payloads with them.
//
// The private key file is what cosign and `skopeo generate-sigstore-key` write: a PEM block
// "ENCRYPTED SIGSTORE PRIVATE KEY" (cosign 1.x wrote "ENCRYPTED COSIGN PRIVATE KEY"; both are
// read) whose body is the JSON of go-tuf's `encrypted` package: the PKCS#8 DER of the key sealed
// with NaCl secretbox under a key scrypt derives from the passphrase (N=32768, r=8, p=1, as the
// only parameters go-tuf accepts). The public key is a PEM "PUBLIC KEY" (SubjectPublicKeyInfo).
//
// Signatures are ASN.1 DER ECDSA over SHA-256 of the payload bytes, carried in standard base64;
// RSA (PKCS#1 v1.5, SHA-256) and Ed25519 public keys verify too, as containers/image allows.
//
// Errors: a wrong passphrase is kAuth; a malformed key file or data is kInvalidInput naming its
// source; a signature that does not verify is kPolicy.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct evp_pkey_st;  // OpenSSL's EVP_PKEY

namespace schicht::trust {

struct Requirement;

// An OpenSSL key, private or public; cheap to copy (shared).
class SigstoreKey {
 public:
  explicit SigstoreKey(evp_pkey_st* key);  // takes ownership
  evp_pkey_st* get() const { return key_.get(); }
  // "PUBLIC KEY" PEM of its public half.
  std::string public_pem() const;

 private:
  std::shared_ptr<evp_pkey_st> key_;
};

struct SigstoreKeyFiles {
  std::string private_pem;  // ENCRYPTED SIGSTORE PRIVATE KEY
  std::string public_pem;   // PUBLIC KEY
};

// A new ECDSA P-256 key pair, the private half encrypted with `passphrase`.
SigstoreKeyFiles generate_sigstore_key(std::string_view passphrase);

// Decrypts an encrypted private key file's content; `source` names it in errors.
SigstoreKey load_sigstore_private_key(std::string_view pem, std::string_view passphrase,
                                      const std::string& source);

// The public key of a "PUBLIC KEY" PEM; `source` names it in errors.
SigstoreKey load_sigstore_public_key(std::string_view pem, const std::string& source);

// The passphrase in a file as containers/image reads it: the first line, without its newline;
// kInvalidInput when it is empty.
std::string read_passphrase_file(const std::string& path);

// The base64 (standard, padded) ASN.1 signature of `payload` made with `key`.
std::string sign_payload(const SigstoreKey& key, std::string_view payload);

// Accepts when one of `keys` verifies `base64_signature` over `payload`; kPolicy otherwise,
// saying whether the signature is malformed or made by none of the trusted keys.
void verify_payload(const std::vector<SigstoreKey>& keys, std::string_view payload,
                    std::string_view base64_signature);

// The public keys a sigstoreSigned requirement names (keyPath(s), keyData(s)); kInvalidInput when
// one cannot be read.
std::vector<SigstoreKey> trusted_sigstore_keys(const Requirement& requirement);

// Whether `signature` (raw bytes) verifies over `payload` with `key` (SHA-256, or Ed25519's own
// hashing); never throws for a bad signature.
bool verifies(const SigstoreKey& key, std::string_view payload, std::string_view signature);

// Whether `signature` verifies over an already computed SHA-256 `digest` (32 raw bytes), as a
// Sigstore bundle's messageSignature signs; false for Ed25519, which cannot sign a prehash.
bool verifies_sha256_digest(const SigstoreKey& key, std::string_view digest,
                            std::string_view signature);

// Whether two keys are the same public key.
bool same_public_key(const SigstoreKey& a, const SigstoreKey& b);

// kPolicy "invalid signature (WHICH): DETAIL": which part of a keyless or bundled signature
// failed (payload, certificate, identity, issuer, timestamp, bundle).
[[noreturn]] void reject_signature(std::string_view which, const std::string& detail);

}  // namespace schicht::trust
