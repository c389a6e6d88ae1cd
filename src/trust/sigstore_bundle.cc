#include "trust/sigstore_bundle.h"

#include <optional>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "trust/base64.h"
#include "trust/fulcio.h"
#include "trust/rekor.h"
#include "trust/sigstore_key.h"

namespace schicht::trust {
namespace {

using nlohmann::json;

constexpr std::string_view kInTotoType = "application/vnd.in-toto+json";

[[noreturn]] void bad_bundle(const std::string& what) {
  reject_signature("bundle", what);
}

const json& member(const json& doc, std::string_view key) {
  static const json kNull;
  if (!doc.is_object()) return kNull;
  auto it = doc.find(key);
  return it == doc.end() ? kNull : *it;
}

std::optional<std::string> text(const json& doc, std::string_view key) {
  const json& v = member(doc, key);
  if (!v.is_string()) return std::nullopt;
  return v.get<std::string>();
}

// A base64 member, decoded; rejects the bundle when missing or invalid.
std::string bytes(const json& doc, std::string_view key, std::string_view where) {
  std::optional<std::string> t = text(doc, key);
  std::optional<std::string> decoded = t ? base64_decode(*t) : std::nullopt;
  if (!decoded) bad_bundle(fmt::format("{}.{} is missing or not base64", where, key));
  return *decoded;
}

// protobuf-JSON writes int64 as a string; accept a number too.
int64_t int64(const json& doc, std::string_view key, std::string_view where) {
  const json& v = member(doc, key);
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    int64_t out = 0;
    bool ok = !s.empty() && s.size() < 19;
    for (char c : s) {
      ok = ok && c >= '0' && c <= '9';
      out = out * 10 + (c - '0');
    }
    if (ok) return out;
  }
  bad_bundle(fmt::format("{}.{} is missing or not an integer", where, key));
}

std::string hex_of(std::string_view raw) {
  std::string out;
  for (unsigned char c : raw) out += fmt::format("{:02x}", c);
  return out;
}

// DSSE's pre-authentication encoding: what the envelope's signatures sign.
std::string pae(std::string_view type, std::string_view payload) {
  return fmt::format("DSSEv1 {} {} {} {}", type.size(), type, payload.size(), payload);
}

RekorEntry tlog_entry(const json& material) {
  const json& entries = member(material, "tlogEntries");
  if (!entries.is_array() || entries.empty()) {
    reject_signature("timestamp",
                     "the bundle has no transparency log entry, and the policy "
                     "requires one (a Rekor key is set)");
  }
  const json& e = entries[0];
  std::string where = "tlogEntries[0]";
  std::optional<std::string> body = text(e, "canonicalizedBody");
  if (!body) bad_bundle(where + ".canonicalizedBody is missing");
  return RekorEntry{.body = *body,
                    .integrated_time = int64(e, "integratedTime", where),
                    .log_index = int64(e, "logIndex", where),
                    .log_id = hex_of(bytes(member(e, "logId"), "keyId", where + ".logId")),
                    .set = bytes(member(e, "inclusionPromise"), "signedEntryTimestamp",
                                 where + ".inclusionPromise")};
}

struct Signed {
  std::string signature;          // raw
  std::string message;            // dsse: the PAE; messageSignature: empty (prehashed)
  std::string digest;             // messageSignature: the raw SHA-256 signed
  std::string logged_sha256_hex;  // what the log entry's body hashes
  std::string statement;          // dsse: the in-toto statement
};

Signed signed_content(const json& doc, const Digest& manifest_digest) {
  const json& message = member(doc, "messageSignature");
  const json& envelope = member(doc, "dsseEnvelope");
  if (message.is_object() == envelope.is_object()) {
    bad_bundle("exactly one of messageSignature and dsseEnvelope is required");
  }
  if (message.is_object()) {
    const json& md = member(message, "messageDigest");
    if (text(md, "algorithm") != "SHA2_256") {
      bad_bundle("messageSignature.messageDigest.algorithm is not SHA2_256");
    }
    std::string digest = bytes(md, "digest", "messageSignature.messageDigest");
    if (manifest_digest.algorithm_name() != "sha256" || hex_of(digest) != manifest_digest.hex()) {
      reject_signature("payload", fmt::format("the bundle signs sha256:{}, the image's manifest "
                                              "is {}",
                                              hex_of(digest), manifest_digest.str()));
    }
    return Signed{.signature = bytes(message, "signature", "messageSignature"),
                  .digest = digest,
                  .logged_sha256_hex = hex_of(digest)};
  }
  std::optional<std::string> type = text(envelope, "payloadType");
  if (type != kInTotoType) {
    bad_bundle(fmt::format("dsseEnvelope.payloadType is {:?}, expected {:?}", type.value_or(""),
                           kInTotoType));
  }
  std::string payload = bytes(envelope, "payload", "dsseEnvelope");
  const json& signatures = member(envelope, "signatures");
  if (!signatures.is_array() || signatures.size() != 1) {
    bad_bundle("dsseEnvelope.signatures must hold exactly one signature");
  }
  return Signed{.signature = bytes(signatures[0], "sig", "dsseEnvelope.signatures[0]"),
                .message = pae(*type, payload),
                .logged_sha256_hex = std::string(Digest::sha256_of(payload).hex()),
                .statement = payload};
}

bool signature_verifies(const SigstoreKey& key, const Signed& s) {
  return s.message.empty() ? verifies_sha256_digest(key, s.digest, s.signature)
                           : verifies(key, s.message, s.signature);
}

// The in-toto statement must name the image's manifest among its subjects.
void check_statement(const std::string& statement, const Digest& manifest_digest) {
  json doc = json::parse(statement, nullptr, false);
  std::optional<std::string> type = text(doc, "_type");
  if (!type || !type->starts_with("https://in-toto.io/Statement/")) {
    reject_signature("payload", "the DSSE payload is not an in-toto statement");
  }
  const json& subjects = member(doc, "subject");
  if (subjects.is_array()) {
    for (const json& s : subjects) {
      if (text(member(s, "digest"), manifest_digest.algorithm_name()) == manifest_digest.hex()) {
        return;
      }
    }
  }
  reject_signature("payload", fmt::format("the in-toto statement's subjects do not include the "
                                          "image's manifest {}",
                                          manifest_digest.str()));
}

}  // namespace

void verify_sigstore_bundle(std::string_view bundle, const Digest& manifest_digest,
                            const Requirement& requirement) {
  json doc = json::parse(bundle, nullptr, false);
  if (!doc.is_object()) bad_bundle("not a JSON object");
  std::optional<std::string> media_type = text(doc, "mediaType");
  if (media_type != kSigstoreBundleType &&
      media_type != "application/vnd.dev.sigstore.bundle+json;version=0.3") {
    bad_bundle(fmt::format("unsupported mediaType {:?} (expected {})", media_type.value_or(""),
                           kSigstoreBundleType));
  }
  const json& material = member(doc, "verificationMaterial");
  std::vector<SigstoreKey> rekor = rekor_keys(requirement);
  if (requirement.fulcio && rekor.empty()) {
    fail(ErrorKind::kInvalidInput, "sigstoreSigned fulcio requires a Rekor key");
  }
  std::optional<RekorEntry> entry;
  if (!rekor.empty()) {
    entry = tlog_entry(material);
    verify_rekor_set(*entry, rekor);
  }
  Signed content = signed_content(doc, manifest_digest);
  std::optional<SigstoreKey> signer;
  if (requirement.fulcio) {
    std::vector<Certificate> certs;
    if (const json& c = member(material, "certificate"); c.is_object()) {
      certs.push_back(
          parse_certificate_der(bytes(c, "rawBytes", "certificate"), "the bundle's certificate"));
    } else if (const json& list = member(member(material, "x509CertificateChain"), "certificates");
               list.is_array() && !list.empty()) {
      for (const json& item : list) {
        certs.push_back(parse_certificate_der(bytes(item, "rawBytes", "x509CertificateChain"),
                                              "a certificate of the bundle's chain"));
      }
    } else {
      reject_signature("certificate",
                       "the bundle has no certificate, and the policy requires "
                       "a Fulcio certificate");
    }
    std::vector<Certificate> intermediates(certs.begin() + 1, certs.end());
    verify_fulcio_certificate(certs.front(), intermediates, fulcio_roots(*requirement.fulcio),
                              *requirement.fulcio, entry->integrated_time);
    signer = certs.front().public_key();
    if (!signature_verifies(*signer, content)) {
      reject_signature("payload",
                       "the signature does not verify with the certificate's key "
                       "(the signed content or the signature was altered)");
    }
  } else if (requirement.key_source == "pki") {
    fail(ErrorKind::kUnsupported, "sigstoreSigned with \"pki\" is not implemented");
  } else {
    for (const SigstoreKey& key : trusted_sigstore_keys(requirement)) {
      if (signature_verifies(key, content)) {
        signer = key;
        break;
      }
    }
    if (!signer) {
      reject_signature("payload",
                       "not signed by a trusted key: the bundle's signature verifies "
                       "with none of the trusted keys");
    }
  }
  if (!content.statement.empty()) check_statement(content.statement, manifest_digest);
  if (entry) {
    check_rekor_body(*entry, LoggedSignature{.signature = content.signature,
                                             .signer = *signer,
                                             .signed_sha256_hex = content.logged_sha256_hex});
  }
}

}  // namespace schicht::trust
