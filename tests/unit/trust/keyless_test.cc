// Keyless sigstore signatures (Fulcio certificate + Rekor SET) on `.sig` attachments and Sigstore
// bundles: a CA and a log made here (sigstore_test_ca.h); every tampered part is rejected saying
// which.
#include <gtest/gtest.h>

#include <functional>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/reference.h"
#include "sigstore_test_ca.h"
#include "trust/image_verifier.h"
#include "trust/signature_payload.h"
#include "trust/sigstore_bundle.h"

namespace schicht::trust {
namespace {

using namespace test_ca;

const std::string kManifest = R"({"schemaVersion":2,"test":"keyless"})";
const std::string kImage = "localhost:5000/a:1";
const std::string kEmail = "signer@example.com";
const std::string kIssuer = "https://issuer.example.com";
constexpr int64_t kSignedAt = 1700000100;

// Reasons are "invalid signature (WHICH): ...".
std::string why(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kPolicy) << e.what();
    return e.what();
  }
  return "accepted";
}
#define EXPECT_REJECTED(fn, which) \
  EXPECT_NE(why(fn).find("invalid signature (" which ")"), std::string::npos) << why(fn)

struct Keyless {
  SigstoreKey ca_key = new_key();
  Certificate ca = make_cert(
      ca_key, ca_key, nullptr,
      {.common_name = "ca", .ca = true, .not_before = 1600000000, .not_after = 1900000000});
  SigstoreKey leaf_key = new_key();
  SigstoreKey rekor = new_key();

  Requirement requirement() const {
    return Requirement{
        .type = "sigstoreSigned",
        .key_source = "fulcio",
        .rekor_source = "rekorPublicKeyData",
        .rekor_datas = {base64_encode(rekor.public_pem())},
        .fulcio = FulcioRequirement{
            .ca_data = base64_encode(pem(ca)), .oidc_issuer = kIssuer, .subject_email = kEmail}};
  }

  Certificate leaf(CertOptions o = {}) const {
    if (o.email.empty()) o.email = kEmail;
    if (o.issuer_v2.empty() && o.issuer_v1.empty()) o.issuer_v2 = kIssuer;
    return make_cert(leaf_key, ca_key, &ca, o);
  }

  // A cosign `.sig` signature of kManifest as kImage, certified by `cert` and logged at `time`.
  Signature sig(const Certificate& cert, int64_t time = kSignedAt) const {
    std::string payload = build_payload(
        kSigstorePayloadType,
        SignedClaims{.docker_reference = kImage, .manifest_digest = Digest::sha256_of(kManifest)});
    std::string signature = sign_payload(leaf_key, payload);
    RekorEntry e = logged(
        rekor, hashedrekord(raw(signature), pem(cert), Digest::sha256_of(payload).hex()), time);
    return Signature{
        .format = std::string(kSigstore),
        .bytes = payload,
        .sigstore_signature = signature,
        .annotations = {{std::string(kCosignCertificateAnnotation), pem(cert)},
                        {std::string(kCosignBundleAnnotation), cosign_bundle_annotation(e)}},
        .origin = "test"};
  }

  void verify(const Signature& s, const Requirement& r) const {
    ImageVerifier verifier(Reference::parse(kImage), kManifest);
    verifier.verify(r, s, "docker://" + kImage);
  }
  void verify(const Signature& s) const { verify(s, requirement()); }
};

TEST(KeylessSigTest, AcceptsAFulcioCertifiedLoggedSignature) {
  Keyless k;
  k.verify(k.sig(k.leaf()));
  // The older issuer extension alone, and an intermediate CA in the chain annotation.
  k.verify(k.sig(k.leaf({.issuer_v1 = kIssuer})));
  SigstoreKey mid_key = new_key();
  Certificate mid = make_cert(
      mid_key, k.ca_key, &k.ca,
      {.common_name = "mid", .ca = true, .not_before = 1600000000, .not_after = 1900000000});
  Certificate leaf = make_cert(k.leaf_key, mid_key, &mid, {.email = kEmail, .issuer_v2 = kIssuer});
  Signature s = k.sig(leaf);
  EXPECT_REJECTED([&] { k.verify(s); }, "certificate");
  s.annotations[std::string(kCosignChainAnnotation)] = pem(mid);
  k.verify(s);
}

TEST(KeylessSigTest, EachTamperedPartIsNamed) {
  Keyless k;
  Signature good = k.sig(k.leaf());

  Signature payload = good;
  payload.bytes[payload.bytes.find("a:1")] = 'b';
  EXPECT_REJECTED([&] { k.verify(payload); }, "payload");

  Signature signature = good;
  signature.sigstore_signature = sign_payload(new_key(), good.bytes);
  EXPECT_REJECTED([&] { k.verify(signature); }, "payload");

  // A certificate with the right identity from a CA of one's own.
  SigstoreKey other_ca_key = new_key();
  Certificate other_ca = make_cert(
      other_ca_key, other_ca_key, nullptr,
      {.common_name = "ca", .ca = true, .not_before = 1600000000, .not_after = 1900000000});
  Certificate forged =
      make_cert(k.leaf_key, other_ca_key, &other_ca, {.email = kEmail, .issuer_v2 = kIssuer});
  EXPECT_REJECTED([&] { k.verify(k.sig(forged)); }, "certificate");
  Signature garbage = good;
  garbage.annotations[std::string(kCosignCertificateAnnotation)] = "not a certificate";
  EXPECT_REJECTED([&] { k.verify(garbage); }, "certificate");
  Signature no_cert = good;
  no_cert.annotations.erase(std::string(kCosignCertificateAnnotation));
  EXPECT_REJECTED([&] { k.verify(no_cert); }, "certificate");

  EXPECT_REJECTED([&] { k.verify(k.sig(k.leaf({.email = "mallory@example.com"}))); }, "identity");
  EXPECT_REJECTED([&] { k.verify(k.sig(k.leaf({.issuer_v2 = "https://evil.example.com"}))); },
                  "issuer");
  EXPECT_REJECTED(
      [&] { k.verify(k.sig(k.leaf({.issuer_v2 = kIssuer, .issuer_v1 = "https://evil"}))); },
      "issuer");

  // Logged after the certificate expired; a time altered after signing; another log's SET; a
  // log entry for another signature; no log entry at all.
  EXPECT_REJECTED([&] { k.verify(k.sig(k.leaf(), 1700000700)); }, "timestamp");
  Signature moved = good;
  auto& bundle = moved.annotations[std::string(kCosignBundleAnnotation)];
  nlohmann::json doc = nlohmann::json::parse(bundle);
  doc["Payload"]["integratedTime"] = kSignedAt + 1;
  bundle = doc.dump();
  EXPECT_REJECTED([&] { k.verify(moved); }, "timestamp");
  Keyless other_log = k;
  other_log.rekor = new_key();
  EXPECT_REJECTED([&] { k.verify(other_log.sig(k.leaf())); }, "timestamp");
  Signature swapped = good;
  Signature second = k.sig(k.leaf({.not_before = 1700000001}));
  swapped.annotations[std::string(kCosignBundleAnnotation)] =
      second.annotations[std::string(kCosignBundleAnnotation)];
  EXPECT_REJECTED([&] { k.verify(swapped); }, "timestamp");
  Signature unlogged = good;
  unlogged.annotations.erase(std::string(kCosignBundleAnnotation));
  EXPECT_REJECTED([&] { k.verify(unlogged); }, "timestamp");
}

TEST(KeylessSigTest, MalformedAnnotationsAndPolicyFiles) {
  Keyless k;
  Signature good = k.sig(k.leaf());
  for (const char* bad : {"not json", "{}", R"({"SignedEntryTimestamp":"!!","Payload":{}})"}) {
    Signature s = good;
    s.annotations[std::string(kCosignBundleAnnotation)] = bad;
    EXPECT_NE(why([&] { k.verify(s); }).find("is not a Rekor bundle"), std::string::npos) << bad;
  }
  Signature chain = good;
  chain.annotations[std::string(kCosignChainAnnotation)] = "garbage";
  EXPECT_REJECTED([&] { k.verify(chain); }, "certificate");
  // A log entry of a kind that does not describe a signature.
  Signature kind = good;
  RekorEntry e = logged(k.rekor, base64_encode(R"({"kind":"rekord","spec":{}})"), kSignedAt);
  kind.annotations[std::string(kCosignBundleAnnotation)] = cosign_bundle_annotation(e);
  EXPECT_NE(why([&] { k.verify(kind); }).find("log entries of kind \"rekord\" are not supported"),
            std::string::npos);

  Requirement missing = k.requirement();
  missing.fulcio->ca_data.clear();
  missing.fulcio->ca_path = "/nonexistent/ca.pem";
  ImageVerifier verifier(Reference::parse(kImage), kManifest);
  try {
    verifier.verify(missing, good, "x");
    ADD_FAILURE() << "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kNotFound) << e.what();
    EXPECT_NE(std::string(e.what()).find("reading the Fulcio CA"), std::string::npos) << e.what();
  }
  Requirement not_pem = k.requirement();
  not_pem.fulcio->ca_data = base64_encode("not a certificate");
  try {
    verifier.verify(not_pem, good, "x");
    ADD_FAILURE() << "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidInput) << e.what();
    EXPECT_NE(std::string(e.what()).find("the Fulcio CA fulcio caData holds no PEM certificate"),
              std::string::npos)
        << e.what();
  }
  Requirement bad_rekor = k.requirement();
  bad_rekor.rekor_datas = {base64_encode("not a key")};
  try {
    verifier.verify(bad_rekor, good, "x");
    ADD_FAILURE() << "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidInput) << e.what();
  }
}

TEST(KeylessSigTest, KeyPathWithRekorRequiresTheLogEntry) {
  Keyless k;
  Requirement r{.type = "sigstoreSigned",
                .key_source = "keyData",
                .key_datas = {base64_encode(k.leaf_key.public_pem())},
                .rekor_source = "rekorPublicKeyData",
                .rekor_datas = {base64_encode(k.rekor.public_pem())}};
  Signature s = k.sig(k.leaf());
  k.verify(s, r);
  s.annotations.erase(std::string(kCosignBundleAnnotation));
  EXPECT_REJECTED([&] { k.verify(s, r); }, "timestamp");
}

// Bundles: messageSignature over the manifest digest, or a DSSE in-toto statement naming it.
struct BundleMaker {
  const Keyless& k;
  static std::string digest_bytes(const Digest& d) {
    std::string out;
    std::string_view hex = d.hex();
    for (size_t i = 0; i < hex.size(); i += 2) {
      out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
    }
    return out;
  }

  nlohmann::json material(const Certificate& cert, const RekorEntry& e) const {
    return {
        {"certificate", {{"rawBytes", base64_encode(cert.der())}}},
        {"tlogEntries",
         {{{"logIndex", std::to_string(e.log_index)},
           {"logId", {{"keyId", base64_encode(digest_bytes(Digest::from_sha256_hex(e.log_id)))}}},
           {"kindVersion", {{"kind", "hashedrekord"}, {"version", "0.0.1"}}},
           {"integratedTime", std::to_string(e.integrated_time)},
           {"inclusionPromise", {{"signedEntryTimestamp", base64_encode(e.set)}}},
           {"canonicalizedBody", e.body}}}}};
  }

  nlohmann::json message(const Certificate& cert, const std::string& signed_digest_hex) const {
    std::string digest = digest_bytes(Digest::from_sha256_hex(signed_digest_hex));
    std::string signature = sign_digest(k.leaf_key, digest);
    RekorEntry e =
        logged(k.rekor, hashedrekord(signature, pem(cert), signed_digest_hex), kSignedAt);
    return {{"mediaType", kSigstoreBundleType},
            {"verificationMaterial", material(cert, e)},
            {"messageSignature",
             {{"messageDigest", {{"algorithm", "SHA2_256"}, {"digest", base64_encode(digest)}}},
              {"signature", base64_encode(signature)}}}};
  }

  nlohmann::json dsse(const Certificate& cert, const std::string& subject_hex) const {
    std::string statement =
        nlohmann::json{
            {"_type", "https://in-toto.io/Statement/v1"},
            {"subject", {{{"name", "localhost:5000/a"}, {"digest", {{"sha256", subject_hex}}}}}},
            {"predicateType", "https://example.com/test"},
            {"predicate", nlohmann::json::object()}}
            .dump();
    std::string type = "application/vnd.in-toto+json";
    std::string pae = "DSSEv1 " + std::to_string(type.size()) + " " + type + " " +
                      std::to_string(statement.size()) + " " + statement;
    std::string signature = raw(sign_payload(k.leaf_key, pae));
    nlohmann::json body = {
        {"apiVersion", "0.0.1"},
        {"kind", "dsse"},
        {"spec",
         {{"payloadHash", {{"algorithm", "sha256"}, {"value", Digest::sha256_of(statement).hex()}}},
          {"signatures",
           {{{"signature", base64_encode(signature)}, {"verifier", base64_encode(pem(cert))}}}}}}};
    RekorEntry e = logged(k.rekor, base64_encode(body.dump()), kSignedAt);
    return {{"mediaType", kSigstoreBundleType},
            {"verificationMaterial", material(cert, e)},
            {"dsseEnvelope",
             {{"payload", base64_encode(statement)},
              {"payloadType", type},
              {"signatures", {{{"sig", base64_encode(signature)}}}}}}};
  }
};

void verify_bundle(const nlohmann::json& bundle, const Requirement& r) {
  verify_sigstore_bundle(bundle.dump(), Digest::sha256_of(kManifest), r);
}

TEST(SigstoreBundleTest, AcceptsMessageSignatureAndDsse) {
  Keyless k;
  BundleMaker b{k};
  std::string image = std::string(Digest::sha256_of(kManifest).hex());
  verify_bundle(b.message(k.leaf(), image), k.requirement());
  verify_bundle(b.dsse(k.leaf(), image), k.requirement());
  // Through the image verifier, as a referrer found on pull.
  k.verify(
      Signature{.format = std::string(kSigstoreBundle), .bytes = b.dsse(k.leaf(), image).dump()});
  // With a trusted key instead of a certificate, the log optional.
  Requirement by_key{.type = "sigstoreSigned",
                     .key_source = "keyData",
                     .key_datas = {base64_encode(k.leaf_key.public_pem())}};
  verify_bundle(b.message(k.leaf(), image), by_key);
  Requirement other_key = by_key;
  other_key.key_datas = {base64_encode(new_key().public_pem())};
  EXPECT_REJECTED([&] { verify_bundle(b.message(k.leaf(), image), other_key); }, "payload");
}

TEST(SigstoreBundleTest, EachTamperedPartIsNamed) {
  Keyless k;
  BundleMaker b{k};
  Requirement r = k.requirement();
  std::string image = std::string(Digest::sha256_of(kManifest).hex());
  std::string other = std::string(Digest::sha256_of("another manifest").hex());

  EXPECT_REJECTED([&] { verify_bundle(b.message(k.leaf(), other), r); }, "payload");
  EXPECT_REJECTED([&] { verify_bundle(b.dsse(k.leaf(), other), r); }, "payload");
  nlohmann::json altered = b.dsse(k.leaf(), image);
  std::string statement = raw(altered["dsseEnvelope"]["payload"].get<std::string>());
  statement[statement.find("Statement")] = 's';
  altered["dsseEnvelope"]["payload"] = base64_encode(statement);
  EXPECT_REJECTED([&] { verify_bundle(altered, r); }, "payload");
  nlohmann::json resigned = b.message(k.leaf(), image);
  resigned["messageSignature"]["signature"] = base64_encode(
      sign_digest(new_key(), BundleMaker::digest_bytes(Digest::sha256_of(kManifest))));
  EXPECT_REJECTED([&] { verify_bundle(resigned, r); }, "payload");

  SigstoreKey rogue = new_key();
  Certificate rogue_ca = make_cert(
      rogue, rogue, nullptr,
      {.common_name = "ca", .ca = true, .not_before = 1600000000, .not_after = 1900000000});
  Certificate forged =
      make_cert(k.leaf_key, rogue, &rogue_ca, {.email = kEmail, .issuer_v2 = kIssuer});
  EXPECT_REJECTED([&] { verify_bundle(b.message(forged, image), r); }, "certificate");
  EXPECT_REJECTED([&] { verify_bundle(b.message(k.leaf({.email = "m@example.com"}), image), r); },
                  "identity");
  EXPECT_REJECTED(
      [&] { verify_bundle(b.message(k.leaf({.issuer_v2 = "https://evil"}), image), r); }, "issuer");

  nlohmann::json late = b.message(k.leaf(), image);
  late["verificationMaterial"]["tlogEntries"][0]["integratedTime"] = "1700000101";
  EXPECT_REJECTED([&] { verify_bundle(late, r); }, "timestamp");
  nlohmann::json expired = b.message(k.leaf({.not_after = 1700000050}), image);
  EXPECT_REJECTED([&] { verify_bundle(expired, r); }, "timestamp");
  nlohmann::json unlogged = b.message(k.leaf(), image);
  unlogged["verificationMaterial"].erase("tlogEntries");
  EXPECT_REJECTED([&] { verify_bundle(unlogged, r); }, "timestamp");
  nlohmann::json swapped = b.message(k.leaf(), image);
  swapped["verificationMaterial"] = b.dsse(k.leaf(), image)["verificationMaterial"];
  EXPECT_REJECTED([&] { verify_bundle(swapped, r); }, "timestamp");

  nlohmann::json both = b.message(k.leaf(), image);
  both["dsseEnvelope"] = b.dsse(k.leaf(), image)["dsseEnvelope"];
  EXPECT_REJECTED([&] { verify_bundle(both, r); }, "bundle");
  nlohmann::json neither = b.message(k.leaf(), image);
  neither.erase("messageSignature");
  EXPECT_REJECTED([&] { verify_bundle(neither, r); }, "bundle");
  nlohmann::json no_body = b.message(k.leaf(), image);
  no_body["verificationMaterial"]["tlogEntries"][0].erase("canonicalizedBody");
  EXPECT_REJECTED([&] { verify_bundle(no_body, r); }, "bundle");
  nlohmann::json bad_time = b.message(k.leaf(), image);
  bad_time["verificationMaterial"]["tlogEntries"][0]["integratedTime"] = "soon";
  EXPECT_REJECTED([&] { verify_bundle(bad_time, r); }, "bundle");
  nlohmann::json no_cert = b.message(k.leaf(), image);
  no_cert["verificationMaterial"].erase("certificate");
  EXPECT_REJECTED([&] { verify_bundle(no_cert, r); }, "certificate");
  nlohmann::json bad_cert = b.message(k.leaf(), image);
  bad_cert["verificationMaterial"]["certificate"]["rawBytes"] = base64_encode("junk");
  EXPECT_REJECTED([&] { verify_bundle(bad_cert, r); }, "certificate");

  nlohmann::json wrong_type = b.message(k.leaf(), image);
  wrong_type["mediaType"] = "application/vnd.dev.sigstore.bundle.v0.1+json";
  EXPECT_REJECTED([&] { verify_bundle(wrong_type, r); }, "bundle");
  EXPECT_REJECTED([&] { verify_sigstore_bundle("[]", Digest::sha256_of(kManifest), r); }, "bundle");
}

}  // namespace
}  // namespace schicht::trust
