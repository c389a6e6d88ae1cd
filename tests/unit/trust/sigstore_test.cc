// Sigstore keys (generate, encrypt, decrypt), signing and verifying payloads, the payload
// parser, signedIdentity matching, the attachment manifest and the image verifier.
#include <gtest/gtest.h>

#include <map>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "trust/base64.h"
#include "trust/identity.h"
#include "trust/image_verifier.h"
#include "trust/signature_payload.h"
#include "trust/sigstore_attachment.h"
#include "trust/sigstore_key.h"

namespace schicht::trust {
namespace {

template <typename Fn>
std::string error_of(Fn&& fn, ErrorKind kind) {
  try {
    fn();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

// Key generation runs scrypt (~0.1 s): one pair for the whole file.
const SigstoreKeyFiles& files() {
  static const SigstoreKeyFiles f = generate_sigstore_key("secret");
  return f;
}

const std::string kManifest = R"({"schemaVersion":2})";

std::string payload_for(const std::string& manifest, const std::string& reference) {
  return build_payload(kSigstorePayloadType,
                       SignedClaims{.docker_reference = reference,
                                    .manifest_digest = Digest::sha256_of(manifest),
                                    .creator = "test",
                                    .timestamp = 1700000000});
}

TEST(SigstoreKeyTest, FileFormatIsGoTufEncryptedJson) {
  const std::string& pem = files().private_pem;
  ASSERT_TRUE(pem.starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n")) << pem;
  ASSERT_TRUE(pem.ends_with("-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n"));
  std::string body;
  size_t start = pem.find('\n') + 1;
  size_t end = pem.find("-----END");
  for (char c : pem.substr(start, end - start)) {
    if (c != '\n') body += c;
  }
  auto doc = nlohmann::json::parse(base64_decode(body).value());
  EXPECT_EQ(doc["kdf"]["name"], "scrypt");
  EXPECT_EQ(doc["kdf"]["params"], (nlohmann::json{{"N", 32768}, {"r", 8}, {"p", 1}}));
  EXPECT_EQ(base64_decode(doc["kdf"]["salt"].get<std::string>())->size(), 32u);
  EXPECT_EQ(doc["cipher"]["name"], "nacl/secretbox");
  EXPECT_EQ(base64_decode(doc["cipher"]["nonce"].get<std::string>())->size(), 24u);
  EXPECT_TRUE(doc["ciphertext"].is_string());
  EXPECT_TRUE(files().public_pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
}

TEST(SigstoreKeyTest, RoundTripSignsAndVerifies) {
  SigstoreKey key = load_sigstore_private_key(files().private_pem, "secret", "k.private");
  EXPECT_EQ(key.public_pem(), files().public_pem);
  std::string payload = payload_for(kManifest, "localhost/a:1");
  std::string sig = sign_payload(key, payload);
  EXPECT_EQ(base64_decode(sig).value()[0], '\x30');  // ASN.1 SEQUENCE
  verify_payload({load_sigstore_public_key(files().public_pem, "k.pub")}, payload, sig);
}

TEST(SigstoreKeyTest, WrongPassphraseIsAuth) {
  std::string e =
      error_of([] { load_sigstore_private_key(files().private_pem, "wrong", "k.private"); },
               ErrorKind::kAuth);
  EXPECT_NE(e.find("k.private: wrong passphrase"), std::string::npos) << e;
}

TEST(SigstoreKeyTest, MalformedKeyFiles) {
  auto bad = [](std::string_view pem) {
    return error_of([&] { load_sigstore_private_key(pem, "secret", "k"); },
                    ErrorKind::kInvalidInput);
  };
  EXPECT_NE(bad("nothing").find("no PEM block"), std::string::npos);
  EXPECT_NE(bad(files().public_pem).find("unsupported PEM type \"PUBLIC KEY\""), std::string::npos);
  std::string body = base64_encode(R"({"kdf":{"name":"scrypt","params":{"N":1024,"r":8,"p":1},)"
                                   R"("salt":"AA=="},"cipher":{"name":"nacl/secretbox",)"
                                   R"("nonce":"AA=="},"ciphertext":"AA=="})");
  std::string pem = "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n" + body +
                    "\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n";
  EXPECT_NE(bad(pem).find("unexpected scrypt parameters"), std::string::npos);
  error_of([] { load_sigstore_public_key("junk", "k.pub"); }, ErrorKind::kInvalidInput);
}

TEST(SigstoreKeyTest, WrongKeyAndTamperedPayloadFail) {
  SigstoreKey key = load_sigstore_private_key(files().private_pem, "secret", "k");
  std::string payload = payload_for(kManifest, "localhost/a:1");
  std::string sig = sign_payload(key, payload);
  SigstoreKeyFiles other = generate_sigstore_key("x");
  std::vector<SigstoreKey> wrong = {load_sigstore_public_key(other.public_pem, "o")};
  EXPECT_NE(error_of([&] { verify_payload(wrong, payload, sig); }, ErrorKind::kPolicy)
                .find("not signed by a trusted key"),
            std::string::npos);
  std::vector<SigstoreKey> right = {load_sigstore_public_key(files().public_pem, "k")};
  std::string tampered = payload;
  tampered[tampered.find("a:1")] = 'b';
  error_of([&] { verify_payload(right, tampered, sig); }, ErrorKind::kPolicy);
  EXPECT_NE(error_of([&] { verify_payload(right, payload, "%%%"); }, ErrorKind::kPolicy)
                .find("invalid signature"),
            std::string::npos);
  EXPECT_NE(error_of([&] { verify_payload(right, payload, base64_encode("not DER")); },
                     ErrorKind::kPolicy)
                .find("invalid signature: not an ASN.1 DER ECDSA signature"),
            std::string::npos);
  // Either of two keys may have signed.
  std::vector<SigstoreKey> both = {wrong[0], right[0]};
  verify_payload(both, payload, sig);
}

TEST(SignaturePayloadTest, BuildsSortedCompactJson) {
  std::string p = payload_for(kManifest, "localhost/a:1");
  EXPECT_EQ(p, R"({"critical":{"identity":{"docker-reference":"localhost/a:1"},"image":{)"
               R"("docker-manifest-digest":")" +
                   Digest::sha256_of(kManifest).str() +
                   R"("},"type":"cosign container image signature"},"optional":{"creator":)"
                   R"("test","timestamp":1700000000}})");
  SignedClaims c = parse_payload(p, kSigstorePayloadType);
  EXPECT_EQ(c.docker_reference, "localhost/a:1");
  EXPECT_EQ(c.manifest_digest, Digest::sha256_of(kManifest));
  EXPECT_EQ(c.timestamp, 1700000000);
  EXPECT_TRUE(manifest_matches(kManifest, c.manifest_digest));
  EXPECT_FALSE(manifest_matches("{}", c.manifest_digest));
}

TEST(SignaturePayloadTest, StrictParsing) {
  std::string digest = Digest::sha256_of(kManifest).str();
  auto doc = [&](const std::string& critical_extra, const std::string& optional) {
    return R"({"critical":{"identity":{"docker-reference":"x/y:1"},"image":{)"
           R"("docker-manifest-digest":")" +
           digest + R"("},"type":"cosign container image signature")" + critical_extra +
           R"(},"optional":)" + optional + "}";
  };
  auto bad = [](const std::string& bytes) {
    return error_of([&] { parse_payload(bytes, kSigstorePayloadType); }, ErrorKind::kPolicy);
  };
  EXPECT_EQ(parse_payload(doc("", "null"), kSigstorePayloadType).docker_reference, "x/y:1");
  parse_payload(doc("", R"({"unknown":1})"), kSigstorePayloadType);
  EXPECT_NE(bad(doc(R"(,"extra":1)", "{}")).find("unknown member \"extra\" in critical"),
            std::string::npos);
  EXPECT_NE(bad(doc("", R"({"timestamp":1.5})")).find("timestamp is not an integer"),
            std::string::npos);
  EXPECT_NE(bad(doc("", R"({"creator":1})")).find("creator is not a string"), std::string::npos);
  EXPECT_NE(bad("[]").find("not a JSON object"), std::string::npos);
  EXPECT_NE(bad("{").find("not JSON"), std::string::npos);
  EXPECT_NE(bad(R"({"critical":{},"critical":{},"optional":{}})").find("duplicate key"),
            std::string::npos);
  EXPECT_NE(bad(R"({"critical":{}})").find("has no \"optional\""), std::string::npos);
  EXPECT_NE(
      error_of([&] { parse_payload(doc("", "{}"), kSimpleSigningPayloadType); }, ErrorKind::kPolicy)
          .find("signature type is \"cosign container image signature\""),
      std::string::npos);
  std::string bad_digest = doc("", "{}");
  bad_digest.replace(bad_digest.find("sha256:"), 7, "md5:");
  EXPECT_NE(bad(bad_digest).find("invalid docker-manifest-digest"), std::string::npos);
}

TEST(IdentityTest, MatchesPerSignedIdentityType) {
  Reference tagged = Reference::parse("localhost:5000/ns/a:1");
  Reference digested = Reference::parse("localhost:5000/ns/a@" + Digest::sha256_of("m").str());
  auto id = [](std::string type) { return SignedIdentity{.type = std::move(type)}; };
  std::optional<SignedIdentity> none;
  EXPECT_TRUE(identity_matches(none, tagged, "localhost:5000/ns/a:1"));
  EXPECT_FALSE(identity_matches(none, tagged, "localhost:5000/ns/a:2"));
  EXPECT_TRUE(identity_matches(none, digested, "localhost:5000/ns/a:2"));
  EXPECT_FALSE(identity_matches(none, digested, "localhost:5000/ns/b:2"));
  EXPECT_FALSE(identity_matches(id("matchExact"), digested, "localhost:5000/ns/a:2"));
  EXPECT_TRUE(identity_matches(id("matchExact"), tagged, "localhost:5000/ns/a:1"));
  EXPECT_TRUE(identity_matches(id("matchRepository"), tagged, "localhost:5000/ns/a"));
  EXPECT_FALSE(identity_matches(id("matchRepository"), tagged, "localhost:5000/ns/ab"));
  SignedIdentity exact{.type = "exactReference", .docker_reference = "quay.io/x/y:2"};
  EXPECT_TRUE(identity_matches(exact, tagged, "quay.io/x/y:2"));
  EXPECT_FALSE(identity_matches(exact, tagged, "quay.io/x/y:3"));
  SignedIdentity repo{.type = "exactRepository", .docker_repository = "quay.io/x/y"};
  EXPECT_TRUE(identity_matches(repo, tagged, "quay.io/x/y:9"));
  SignedIdentity remap{
      .type = "remapIdentity", .prefix = "localhost:5000/ns", .signed_prefix = "quay.io/prod"};
  EXPECT_TRUE(identity_matches(remap, tagged, "quay.io/prod/a:1"));
  EXPECT_FALSE(identity_matches(remap, tagged, "localhost:5000/ns/a:1"));
  // Normalized before comparing: "busybox" is docker.io/library/busybox.
  EXPECT_TRUE(identity_matches(none, Reference::parse("docker.io/library/busybox:1"), "busybox:1"));
  std::string e =
      error_of([&] { check_identity(none, tagged, "localhost:5000/ns/b:1"); }, ErrorKind::kPolicy);
  EXPECT_NE(e.find("signature for another identity"), std::string::npos) << e;
  error_of([&] { check_identity(none, tagged, "Not A Reference"); }, ErrorKind::kPolicy);
}

TEST(SigstoreAttachmentTest, BuildsAppendsAndReads) {
  Digest image = Digest::sha256_of(kManifest);
  EXPECT_EQ(sigstore_attachment_tag(image), "sha256-" + std::string(image.hex()) + ".sig");
  SigstoreAttachment first = add_sigstore_signature(std::nullopt, "", "payload-1", "c2ln");
  auto config = nlohmann::json::parse(first.config);
  EXPECT_EQ(config["rootfs"]["diff_ids"],
            nlohmann::json::array({Digest::sha256_of("payload-1").str()}));
  Manifest m = parse_manifest(first.manifest, "application/vnd.oci.image.manifest.v1+json");
  ASSERT_EQ(sigstore_signature_layers(m).size(), 1u);
  EXPECT_EQ(m.layers[0].annotations.at("dev.cosignproject.cosign/signature"), "c2ln");
  EXPECT_EQ(m.config.digest, Digest::sha256_of(first.config));

  SigstoreAttachment same = add_sigstore_signature(m, first.config, "payload-1", "c2ln");
  EXPECT_FALSE(same.changed);
  SigstoreAttachment second = add_sigstore_signature(m, first.config, "payload-2", "c2ln");
  Manifest m2 = parse_manifest(second.manifest, "application/vnd.oci.image.manifest.v1+json");
  EXPECT_EQ(sigstore_signature_layers(m2).size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(second.config)["rootfs"]["diff_ids"].size(), 2u);
  error_of([&] { add_sigstore_signature(m, "not json", "payload-3", "c2ln"); },
           ErrorKind::kInvalidInput);
}

// A keyless signature's proof lives in its layer's annotations: kept byte for byte, with the
// signature annotation given separately.
TEST(SigstoreAttachmentTest, KeepsOtherAnnotationsExactly) {
  std::map<std::string, std::string> proof = {
      {"dev.sigstore.cosign/certificate", "-----BEGIN CERTIFICATE-----\nAAA=\n"},
      {"dev.sigstore.cosign/chain", "chain \"quoted\"\t\u00e9"},
      {"dev.sigstore.cosign/bundle", R"({"SignedEntryTimestamp":"x","Payload":{}})"},
      {"dev.cosignproject.cosign/signature", "old"}};
  SigstoreAttachment a = add_sigstore_signature(std::nullopt, "", "payload", "c2ln", proof);
  Manifest m = parse_manifest(a.manifest, "application/vnd.oci.image.manifest.v1+json");
  ASSERT_EQ(m.layers.size(), 1u);
  proof["dev.cosignproject.cosign/signature"] = "c2ln";
  EXPECT_EQ(m.layers[0].annotations, proof);
  // The same signature with the same proof is already there.
  EXPECT_FALSE(add_sigstore_signature(m, a.config, "payload", "c2ln", proof).changed);
}

TEST(ImageVerifierTest, SaysWhichCheckFailed) {
  SigstoreKey key = load_sigstore_private_key(files().private_pem, "secret", "k");
  Requirement r{.type = "sigstoreSigned",
                .key_source = "keyData",
                .key_datas = {base64_encode(files().public_pem)}};
  Reference image = Reference::parse("localhost:5000/a:1");
  auto signature = [&](const std::string& manifest, const std::string& ref) {
    std::string p = payload_for(manifest, ref);
    return Signature{.format = "sigstore", .bytes = p, .sigstore_signature = sign_payload(key, p)};
  };
  ImageVerifier verifier(image, kManifest);
  verifier.verify(r, signature(kManifest, "localhost:5000/a:1"), "docker://x");
  auto why = [&](const Signature& s) {
    return error_of([&] { verifier.verify(r, s, "docker://x"); }, ErrorKind::kPolicy);
  };
  EXPECT_NE(why(signature("{}", "localhost:5000/a:1")).find("signature for another digest"),
            std::string::npos);
  EXPECT_NE(why(signature(kManifest, "localhost:5000/b:1")).find("signature for another identity"),
            std::string::npos);
  Signature tampered = signature(kManifest, "localhost:5000/a:1");
  tampered.bytes[tampered.bytes.find("a:1")] = 'b';
  EXPECT_NE(why(tampered).find("not signed by a trusted key"), std::string::npos);
  Signature unannotated = signature(kManifest, "localhost:5000/a:1");
  unannotated.sigstore_signature.clear();
  EXPECT_NE(why(unannotated).find("no dev.cosignproject.cosign/signature annotation"),
            std::string::npos);
  Requirement pki{.type = "sigstoreSigned", .key_source = "pki"};
  error_of([&] { verifier.verify(pki, signature(kManifest, "localhost:5000/a:1"), "x"); },
           ErrorKind::kUnsupported);
}

}  // namespace
}  // namespace schicht::trust
