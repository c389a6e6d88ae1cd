// A throwaway Fulcio CA and Rekor log for the keyless tests: certificates with the email SAN and
// the OIDC issuer extensions, signatures over payloads and prehashed digests, and signed entry
// timestamps, all made with OpenSSL here.
#pragma once

#include <openssl/asn1.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/digest.h"
#include "core/error.h"
#include "trust/base64.h"
#include "trust/fulcio.h"
#include "trust/rekor.h"
#include "trust/sigstore_key.h"

namespace schicht::trust::test_ca {

inline SigstoreKey new_key() {
  return SigstoreKey(EVP_EC_gen("P-256"));
}

struct CertOptions {
  std::string common_name = "test";
  bool ca = false;
  std::string email;      // SAN, when not empty
  std::string issuer_v2;  // 1.3.6.1.4.1.57264.1.8, when not empty
  std::string issuer_v1;  // 1.3.6.1.4.1.57264.1.1, when not empty
  int64_t not_before = 1700000000;
  int64_t not_after = 1700000600;  // ten minutes, as Fulcio's
};

inline void add_raw_extension(X509* cert, const char* oid, std::string_view content) {
  ASN1_OBJECT* obj = OBJ_txt2obj(oid, 1);
  ASN1_OCTET_STRING* data = ASN1_OCTET_STRING_new();
  ASN1_OCTET_STRING_set(data, reinterpret_cast<const unsigned char*>(content.data()),
                        static_cast<int>(content.size()));
  X509_EXTENSION* ext = X509_EXTENSION_create_by_OBJ(nullptr, obj, 0, data);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  ASN1_OCTET_STRING_free(data);
  ASN1_OBJECT_free(obj);
}

inline std::string utf8_der(std::string_view text) {
  ASN1_UTF8STRING* s = ASN1_UTF8STRING_new();
  ASN1_STRING_set(s, text.data(), static_cast<int>(text.size()));
  unsigned char* out = nullptr;
  int size = i2d_ASN1_UTF8STRING(s, &out);
  std::string der(reinterpret_cast<char*>(out), static_cast<size_t>(size));
  OPENSSL_free(out);
  ASN1_UTF8STRING_free(s);
  return der;
}

inline void add_conf_extension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) fail(ErrorKind::kInternal, "X509V3_EXT_conf_nid");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// A certificate for `subject` signed by `issuer_key` (and named after `issuer`; self-signed when
// null).
inline Certificate make_cert(const SigstoreKey& subject, const SigstoreKey& issuer_key,
                             const Certificate* issuer, const CertOptions& o) {
  static long serial = 1;
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), serial++);
  ASN1_TIME_set(X509_getm_notBefore(cert), static_cast<time_t>(o.not_before));
  ASN1_TIME_set(X509_getm_notAfter(cert), static_cast<time_t>(o.not_after));
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(o.common_name.c_str()), -1, -1,
                             0);
  X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer->get()) : name);
  X509_set_pubkey(cert, subject.get());
  X509* issuer_cert = issuer ? issuer->get() : cert;
  if (o.ca) {
    add_conf_extension(cert, issuer_cert, NID_basic_constraints, "critical,CA:TRUE");
    add_conf_extension(cert, issuer_cert, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_conf_extension(cert, issuer_cert, NID_key_usage, "critical,digitalSignature");
    add_conf_extension(cert, issuer_cert, NID_ext_key_usage, "codeSigning");
  }
  if (!o.email.empty()) {
    add_conf_extension(cert, issuer_cert, NID_subject_alt_name, ("email:" + o.email).c_str());
  }
  if (!o.issuer_v1.empty()) add_raw_extension(cert, "1.3.6.1.4.1.57264.1.1", o.issuer_v1);
  if (!o.issuer_v2.empty()) {
    add_raw_extension(cert, "1.3.6.1.4.1.57264.1.8", utf8_der(o.issuer_v2));
  }
  if (X509_sign(cert, issuer_key.get(), EVP_sha256()) <= 0) fail(ErrorKind::kInternal, "X509_sign");
  return Certificate(cert);
}

inline std::string pem(const Certificate& cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert.get());
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(size));
  BIO_free(bio);
  return out;
}

inline std::string raw(std::string_view base64) {
  return base64_decode(base64).value();
}

// An ECDSA signature over a SHA-256 digest computed elsewhere (a bundle's messageSignature).
inline std::string sign_digest(const SigstoreKey& key, std::string_view digest) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(key.get(), nullptr);
  size_t size = 0;
  EVP_PKEY_sign_init(ctx);
  EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256());
  EVP_PKEY_sign(ctx, nullptr, &size, reinterpret_cast<const unsigned char*>(digest.data()),
                digest.size());
  std::string out(size, '\0');
  EVP_PKEY_sign(ctx, reinterpret_cast<unsigned char*>(out.data()), &size,
                reinterpret_cast<const unsigned char*>(digest.data()), digest.size());
  out.resize(size);
  EVP_PKEY_CTX_free(ctx);
  return out;
}

inline std::string log_id(const SigstoreKey& key) {
  unsigned char* out = nullptr;
  int size = i2d_PUBKEY(key.get(), &out);
  std::string der(reinterpret_cast<char*>(out), static_cast<size_t>(size));
  OPENSSL_free(out);
  return std::string(Digest::sha256_of(der).hex());
}

// A hashedrekord body: `signature` (raw) by the key or certificate in `verifier_pem` over
// content hashing to `sha256_hex`.
inline std::string hashedrekord(std::string_view signature, std::string_view verifier_pem,
                                std::string_view sha256_hex) {
  nlohmann::json body = {{"apiVersion", "0.0.1"},
                         {"kind", "hashedrekord"},
                         {"spec",
                          {{"data", {{"hash", {{"algorithm", "sha256"}, {"value", sha256_hex}}}}},
                           {"signature",
                            {{"content", base64_encode(signature)},
                             {"publicKey", {{"content", base64_encode(verifier_pem)}}}}}}}};
  return base64_encode(body.dump());
}

// A log entry for `body`, its SET signed by `log`.
inline RekorEntry logged(const SigstoreKey& log, std::string body, int64_t time,
                         int64_t index = 42) {
  RekorEntry e{
      .body = std::move(body), .integrated_time = time, .log_index = index, .log_id = log_id(log)};
  nlohmann::json signed_part = {{"body", e.body},
                                {"integratedTime", e.integrated_time},
                                {"logID", e.log_id},
                                {"logIndex", e.log_index}};
  e.set = raw(sign_payload(log, signed_part.dump()));
  return e;
}

// cosign's dev.sigstore.cosign/bundle annotation for `e`.
inline std::string cosign_bundle_annotation(const RekorEntry& e) {
  return nlohmann::json{{"SignedEntryTimestamp", base64_encode(e.set)},
                        {"Payload",
                         {{"body", e.body},
                          {"integratedTime", e.integrated_time},
                          {"logIndex", e.log_index},
                          {"logID", e.log_id}}}}
      .dump();
}

}  // namespace schicht::trust::test_ca
