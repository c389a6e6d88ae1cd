#include "trust/fulcio.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.h"
#include "core/fs.h"
#include "trust/base64.h"

namespace schicht::trust {
namespace {

// Fulcio's OIDC issuer: v2 holds a DER UTF8String, v1 the bare bytes.
constexpr const char* kIssuerV1 = "1.3.6.1.4.1.57264.1.1";
constexpr const char* kIssuerV2 = "1.3.6.1.4.1.57264.1.8";

int64_t unix_time(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return static_cast<int64_t>(timegm(&tm));
}

std::string utc(int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

// The extension `oid`'s content, nullopt when the certificate has none.
std::optional<std::string> extension_bytes(const Certificate& cert, const char* oid) {
  std::unique_ptr<ASN1_OBJECT, decltype(&ASN1_OBJECT_free)> obj(OBJ_txt2obj(oid, 1),
                                                                &ASN1_OBJECT_free);
  if (!obj) fail(ErrorKind::kInternal, fmt::format("OBJ_txt2obj({})", oid));
  int index = X509_get_ext_by_OBJ(cert.get(), obj.get(), -1);
  if (index < 0) return std::nullopt;
  ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(X509_get_ext(cert.get(), index));
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(data)),
                     static_cast<size_t>(ASN1_STRING_length(data)));
}

std::string oidc_issuer(const Certificate& cert) {
  std::optional<std::string> v1 = extension_bytes(cert, kIssuerV1);
  std::optional<std::string> v2_der = extension_bytes(cert, kIssuerV2);
  std::optional<std::string> v2;
  if (v2_der) {
    const auto* p = reinterpret_cast<const unsigned char*>(v2_der->data());
    ASN1_UTF8STRING* s = d2i_ASN1_UTF8STRING(nullptr, &p, static_cast<long>(v2_der->size()));
    ERR_clear_error();
    if (s == nullptr) {
      reject_signature("issuer", fmt::format("the certificate's OIDC issuer extension {} is not "
                                             "a DER UTF8String",
                                             kIssuerV2));
    }
    v2 = std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<size_t>(ASN1_STRING_length(s)));
    ASN1_UTF8STRING_free(s);
  }
  if (v1 && v2 && *v1 != *v2) {
    reject_signature(
        "issuer", fmt::format("the certificate names two OIDC issuers, {:?} and {:?}", *v2, *v1));
  }
  if (!v1 && !v2) {
    reject_signature("issuer", "the certificate has no Fulcio OIDC issuer extension");
  }
  return v2 ? *v2 : *v1;
}

std::vector<std::string> emails(const Certificate& cert) {
  std::vector<std::string> out;
  auto* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type != GEN_EMAIL) continue;
    const ASN1_IA5STRING* s = name->d.rfc822Name;
    out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<size_t>(ASN1_STRING_length(s)));
  }
  GENERAL_NAMES_free(names);
  return out;
}

using Stack = std::unique_ptr<STACK_OF(X509), void (*)(STACK_OF(X509)*)>;

void free_stack(STACK_OF(X509) * s) {
  sk_X509_free(s);
}

}  // namespace

Certificate::Certificate(x509_st* cert) : cert_(cert, &X509_free) {}

SigstoreKey Certificate::public_key() const {
  EVP_PKEY* key = X509_get_pubkey(cert_.get());
  if (key == nullptr) {
    ERR_clear_error();
    reject_signature("certificate", "the certificate's public key is unusable");
  }
  return SigstoreKey(key);
}

std::string Certificate::der() const {
  unsigned char* out = nullptr;
  int size = i2d_X509(cert_.get(), &out);
  if (size <= 0) fail(ErrorKind::kInternal, "i2d_X509 failed");
  std::string der(reinterpret_cast<char*>(out), static_cast<size_t>(size));
  OPENSSL_free(out);
  return der;
}

int64_t Certificate::not_before() const {
  return unix_time(X509_get0_notBefore(cert_.get()));
}
int64_t Certificate::not_after() const {
  return unix_time(X509_get0_notAfter(cert_.get()));
}

std::vector<Certificate> parse_certificates_pem(std::string_view pem, std::string_view what) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  if (!bio) fail(ErrorKind::kInternal, "BIO_new_mem_buf failed");
  std::vector<Certificate> out;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    out.emplace_back(cert);
  }
  ERR_clear_error();
  if (out.empty()) {
    reject_signature("certificate", fmt::format("{} holds no PEM certificate", what));
  }
  return out;
}

Certificate parse_certificate_der(std::string_view der, std::string_view what) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  X509* cert = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  ERR_clear_error();
  if (cert == nullptr || p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    X509_free(cert);
    reject_signature("certificate", fmt::format("{} is not a DER certificate", what));
  }
  return Certificate(cert);
}

std::vector<Certificate> fulcio_roots(const FulcioRequirement& fulcio) {
  std::string pem;
  std::string source;
  if (!fulcio.ca_path.empty()) {
    pem = with_context("reading the Fulcio CA", [&] { return read_file(fulcio.ca_path); });
    source = fulcio.ca_path;
  } else {
    pem = base64_decode(fulcio.ca_data).value_or("");
    if (pem.empty()) fail(ErrorKind::kInvalidInput, "sigstoreSigned fulcio caData is not base64");
    source = "fulcio caData";
  }
  try {
    return parse_certificates_pem(pem, source);
  } catch (const Error&) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("the Fulcio CA {} holds no PEM certificate", source));
  }
}

void verify_fulcio_certificate(const Certificate& leaf,
                               const std::vector<Certificate>& intermediates,
                               const std::vector<Certificate>& roots,
                               const FulcioRequirement& fulcio, int64_t signed_at) {
  if (signed_at < leaf.not_before() || signed_at > leaf.not_after()) {
    reject_signature("timestamp",
                     fmt::format("the log entry's time {} is outside the certificate's validity "
                                 "({} to {})",
                                 utc(signed_at), utc(leaf.not_before()), utc(leaf.not_after())));
  }
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), &X509_STORE_free);
  Stack untrusted(sk_X509_new_null(), &free_stack);
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(),
                                                                      &X509_STORE_CTX_free);
  if (!store || !untrusted || !ctx) fail(ErrorKind::kInternal, "OpenSSL allocation failed");
  for (const Certificate& root : roots) X509_STORE_add_cert(store.get(), root.get());
  for (const Certificate& c : intermediates) sk_X509_push(untrusted.get(), c.get());
  if (X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), untrusted.get()) != 1) {
    fail(ErrorKind::kInternal, "X509_STORE_CTX_init failed");
  }
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  // Any certificate of the trusted file anchors a chain (an intermediate CA too), and the chain
  // is judged as of the logged time: Fulcio certificates live ten minutes.
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN | X509_V_FLAG_USE_CHECK_TIME);
  X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(signed_at));
  int ok = X509_verify_cert(ctx.get());
  int code = X509_STORE_CTX_get_error(ctx.get());
  ERR_clear_error();
  if (ok != 1) {
    reject_signature("certificate",
                     fmt::format("the certificate does not chain to the trusted Fulcio CA: {}",
                                 X509_verify_cert_error_string(code)));
  }
  std::string issuer = oidc_issuer(leaf);
  if (issuer != fulcio.oidc_issuer) {
    reject_signature("issuer", fmt::format("the certificate's OIDC issuer is {:?}, the policy "
                                           "requires {:?}",
                                           issuer, fulcio.oidc_issuer));
  }
  std::vector<std::string> found = emails(leaf);
  for (const std::string& e : found) {
    if (e == fulcio.subject_email) return;
  }
  reject_signature(
      "identity",
      found.empty() ? fmt::format("the certificate has no email address; the policy requires {:?}",
                                  fulcio.subject_email)
                    : fmt::format("the certificate is for {}, the policy requires {:?}",
                                  fmt::join(found, ", "), fulcio.subject_email));
}

std::string describe_certificate_identity(const Certificate& cert) {
  std::vector<std::string> found = emails(cert);
  std::string issuer;
  try {
    issuer = oidc_issuer(cert);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::kPolicy) throw;
    issuer = "none readable";
  }
  return fmt::format("{} (issuer {})",
                     found.empty() ? "no email" : fmt::format("{}", fmt::join(found, ", ")),
                     issuer);
}

}  // namespace schicht::trust
