// Keyless (Fulcio) signing certificates: a short-lived X.509 certificate, issued by a Fulcio CA
// to one OIDC identity, whose key made the signature. Checked offline: the chain to the CA the
// policy trusts (at the time Rekor logged the signature, since the certificate expires within
// minutes), the OIDC issuer extension (1.3.6.1.4.1.57264.1.8, or the older
// 1.3.6.1.4.1.57264.1.1) and the email subject alternative name.
//
// Every rejection is kPolicy "invalid signature (WHICH): ..." with WHICH one of certificate,
// issuer, identity or timestamp; a CA that cannot be read is kInvalidInput.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "trust/policy.h"
#include "trust/sigstore_key.h"

struct x509_st;  // OpenSSL's X509

namespace schicht::trust {

// A parsed certificate; cheap to copy (shared).
class Certificate {
 public:
  explicit Certificate(x509_st* cert);  // takes ownership
  x509_st* get() const { return cert_.get(); }
  SigstoreKey public_key() const;
  std::string der() const;
  int64_t not_before() const;  // Unix seconds
  int64_t not_after() const;

 private:
  std::shared_ptr<x509_st> cert_;
};

// Every "CERTIFICATE" PEM block of `pem` (at least one); `what` names it in kPolicy
// "invalid signature (certificate)" errors.
std::vector<Certificate> parse_certificates_pem(std::string_view pem, std::string_view what);
// A DER certificate (as Sigstore bundles carry them).
Certificate parse_certificate_der(std::string_view der, std::string_view what);

// The CA certificates `fulcio` names (caPath's file or caData's base64 PEM).
std::vector<Certificate> fulcio_roots(const FulcioRequirement& fulcio);

// Checks `leaf` against `fulcio` as of `signed_at` (Rekor's integratedTime): within the leaf's
// validity (timestamp), chaining to one of `roots` through `intermediates` (certificate), its
// OIDC issuer (issuer) and its email SAN (identity), in that order.
void verify_fulcio_certificate(const Certificate& leaf,
                               const std::vector<Certificate>& intermediates,
                               const std::vector<Certificate>& roots,
                               const FulcioRequirement& fulcio, int64_t signed_at);

// Who a keyless certificate names, for listings: "EMAIL (issuer ISSUER)"; a part the
// certificate lacks or garbles is said to be missing instead of failing.
std::string describe_certificate_identity(const Certificate& cert);

}  // namespace schicht::trust
