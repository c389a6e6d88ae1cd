#include "trust/rekor.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/digest.h"
#include "core/error.h"
#include "core/fs.h"
#include "trust/base64.h"
#include "trust/fulcio.h"

namespace schicht::trust {
namespace {

using nlohmann::json;

[[noreturn]] void bad_entry(const std::string& what) {
  reject_signature("timestamp", what);
}

// `doc[key]` when it is a string; nullopt otherwise.
std::optional<std::string> text(const json& doc, std::string_view key) {
  if (!doc.is_object()) return std::nullopt;
  auto it = doc.find(key);
  if (it == doc.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

const json& member(const json& doc, std::string_view key) {
  static const json kNull;
  if (!doc.is_object()) return kNull;
  auto it = doc.find(key);
  return it == doc.end() ? kNull : *it;
}

std::string spki_der(const SigstoreKey& key) {
  unsigned char* out = nullptr;
  int size = i2d_PUBKEY(key.get(), &out);
  if (size <= 0) fail(ErrorKind::kInternal, "i2d_PUBKEY failed");
  std::string der(reinterpret_cast<char*>(out), static_cast<size_t>(size));
  OPENSSL_free(out);
  return der;
}

// The key of a logged verifier: base64 of a "PUBLIC KEY" or "CERTIFICATE" PEM.
std::optional<SigstoreKey> logged_key(const std::optional<std::string>& base64_pem) {
  if (!base64_pem) return std::nullopt;
  std::optional<std::string> pem = base64_decode(*base64_pem);
  if (!pem) return std::nullopt;
  try {
    if (pem->find("CERTIFICATE") != std::string::npos) {
      return parse_certificates_pem(*pem, "the logged certificate").front().public_key();
    }
    return load_sigstore_public_key(*pem, "logged");
  } catch (const Error&) {
    return std::nullopt;
  }
}

void check_hash(const json& hash, const std::string& expected) {
  if (text(hash, "algorithm") != "sha256" || text(hash, "value") != expected) {
    bad_entry(
        fmt::format("the log entry is for other content (sha256 {}), not this signature's "
                    "(sha256 {})",
                    text(hash, "value").value_or("?"), expected));
  }
}

}  // namespace

RekorEntry parse_cosign_rekor_bundle(std::string_view annotation) {
  json doc = json::parse(annotation, nullptr, false);
  const json& payload = member(doc, "Payload");
  std::optional<std::string> set = text(doc, "SignedEntryTimestamp");
  std::optional<std::string> body = text(payload, "body");
  std::optional<std::string> log_id = text(payload, "logID");
  const json& time = member(payload, "integratedTime");
  const json& index = member(payload, "logIndex");
  std::optional<std::string> set_bytes = set ? base64_decode(*set) : std::nullopt;
  if (!set_bytes || !body || !log_id || !time.is_number_integer() || !index.is_number_integer()) {
    bad_entry(
        fmt::format("the {} annotation is not a Rekor bundle (SignedEntryTimestamp and "
                    "Payload with body, integratedTime, logIndex and logID)",
                    kCosignBundleAnnotation));
  }
  return RekorEntry{.body = *body,
                    .integrated_time = time.get<int64_t>(),
                    .log_index = index.get<int64_t>(),
                    .log_id = *log_id,
                    .set = *set_bytes};
}

std::vector<SigstoreKey> rekor_keys(const Requirement& requirement) {
  std::vector<SigstoreKey> keys;
  for (const std::string& path : requirement.rekor_paths) {
    std::string pem = with_context("reading the Rekor public key", [&] { return read_file(path); });
    keys.push_back(load_sigstore_public_key(pem, path));
  }
  for (const std::string& data : requirement.rekor_datas) {
    std::string pem = base64_decode(data).value_or("");
    if (pem.empty())
      fail(ErrorKind::kInvalidInput, "sigstoreSigned rekorPublicKeyData is not base64");
    keys.push_back(load_sigstore_public_key(pem, "from rekorPublicKeyData"));
  }
  return keys;
}

void verify_rekor_set(const RekorEntry& entry, const std::vector<SigstoreKey>& keys) {
  // Keys sorted, no spaces: the RFC 8785 form of these four members (nlohmann's json sorts).
  json signed_part = {{"body", entry.body},
                      {"integratedTime", entry.integrated_time},
                      {"logID", entry.log_id},
                      {"logIndex", entry.log_index}};
  std::string canonical = signed_part.dump();
  for (const SigstoreKey& key : keys) {
    if (!verifies(key, canonical, entry.set)) continue;
    std::string expected = std::string(Digest::sha256_of(spki_der(key)).hex());
    if (entry.log_id != expected) {
      bad_entry(fmt::format("the log entry names log {}, but the trusted Rekor key's ID is {}",
                            entry.log_id, expected));
    }
    return;
  }
  bad_entry(
      fmt::format("the signed entry timestamp does not verify with the {} trusted Rekor "
                  "key(s) (the entry, its time or index was altered, or another log "
                  "signed it)",
                  keys.size()));
}

void check_rekor_body(const RekorEntry& entry, const LoggedSignature& expected) {
  std::optional<std::string> body_text = base64_decode(entry.body);
  json body = body_text ? json::parse(*body_text, nullptr, false) : json();
  std::optional<std::string> kind = text(body, "kind");
  const json& spec = member(body, "spec");
  auto same_signer = [&](const std::optional<std::string>& base64_pem) {
    std::optional<SigstoreKey> key = logged_key(base64_pem);
    return key && same_public_key(*key, expected.signer);
  };
  std::string signature = base64_encode(expected.signature);
  if (kind == "hashedrekord") {
    const json& sig = member(spec, "signature");
    if (text(sig, "content") != signature) {
      bad_entry("the log entry is for another signature");
    }
    if (!same_signer(text(member(sig, "publicKey"), "content"))) {
      bad_entry("the log entry is for a signature by another key or certificate");
    }
    check_hash(member(member(spec, "data"), "hash"), expected.signed_sha256_hex);
    return;
  }
  if (kind == "dsse") {
    check_hash(member(spec, "payloadHash"), expected.signed_sha256_hex);
    const json& signatures = member(spec, "signatures");
    if (signatures.is_array()) {
      for (const json& s : signatures) {
        if (text(s, "signature") == signature && same_signer(text(s, "verifier"))) return;
      }
    }
    bad_entry("the log entry is for another signature, key or certificate");
  }
  bad_entry(kind ? fmt::format("log entries of kind {:?} are not supported", *kind)
                 : std::string("the log entry's body is not a Rekor entry"));
}

}  // namespace schicht::trust
