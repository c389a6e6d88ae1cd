// Strict parsing of policy.json: every error case fails closed and names the file and place.
#include "trust/policy.h"

#include <gtest/gtest.h>

#include <string>

#include "core/error.h"

namespace schicht::trust {
namespace {

const char* kAccept = R"({"default":[{"type":"insecureAcceptAnything"}]})";

// The message of the kInvalidInput error `text` gives, or "" when it parses.
std::string error_of(const std::string& text) {
  try {
    parse_policy(text, "/p/policy.json");
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidInput) << e.what();
    std::string message = e.what();
    EXPECT_NE(message.find("/p/policy.json"), std::string::npos) << message;
    return message;
  }
  return "";
}

std::string with_docker_scope(const std::string& scope, const std::string& requirement) {
  return R"({"default":[{"type":"reject"}],"transports":{"docker":{")" + scope + R"(":[)" +
         requirement + "]}}}";
}

TEST(PolicyTest, ParsesAFullPolicy) {
  Policy p = parse_policy(R"({"default":[{"type":"reject"}],"transports":{
    "docker":{"docker.io/library/busybox":[{"type":"insecureAcceptAnything"}],
              "*.example.com":[{"type":"insecureAcceptAnything"}],
              "registry.example.com:5000/ns":[{"type":"signedBy","keyType":"GPGKeys",
                  "keyPath":"/etc/pki/k.gpg","signedIdentity":{"type":"matchRepository"}}],
              "quay.io":[{"type":"sigstoreSigned","keyPaths":["/a.pub","/b.pub"],
                  "signedIdentity":{"type":"remapIdentity","prefix":"quay.io",
                                    "signedPrefix":"mirror.example.com/q"}}]},
    "docker-daemon":{"":[{"type":"insecureAcceptAnything"}]},
    "oci-archive":{"/srv/images":[{"type":"reject"}]}}})",
                          "x");
  ASSERT_EQ(p.default_requirements.size(), 1u);
  EXPECT_EQ(p.default_requirements[0].type, "reject");
  const auto& docker = p.transports.at("docker");
  EXPECT_EQ(docker.size(), 4u);
  const Requirement& signed_by = docker.at("registry.example.com:5000/ns")[0];
  EXPECT_EQ(signed_by.key_source, "keyPath");
  EXPECT_EQ(signed_by.key_paths, std::vector<std::string>{"/etc/pki/k.gpg"});
  EXPECT_EQ(signed_by.signed_identity->type, "matchRepository");
  EXPECT_TRUE(signed_by.needs_signatures());
  const Requirement& sigstore = docker.at("quay.io")[0];
  EXPECT_EQ(sigstore.key_paths.size(), 2u);
  EXPECT_EQ(sigstore.signed_identity->signed_prefix, "mirror.example.com/q");
  EXPECT_EQ(error_of(kAccept), "");
}

TEST(PolicyTest, RejectsMalformedDocuments) {
  // Not JSON: Go's words where they fit, never the JSON library's exception text.
  EXPECT_EQ(error_of(""), R"(invalid policy in "/p/policy.json": unexpected end of JSON input)");
  EXPECT_EQ(error_of("{\n"), R"(invalid policy in "/p/policy.json": unexpected end of JSON input)");
  EXPECT_EQ(error_of("{x}"),
            R"(invalid policy in "/p/policy.json": invalid character 'x' at offset 2)");
  EXPECT_EQ(error_of(std::string("{\0}", 3)),
            R"(invalid policy in "/p/policy.json": invalid character '\x00' at offset 2)");
  // What follows a NUL byte is not ignored: the document is refused, as Go refuses it.
  EXPECT_EQ(error_of(std::string(kAccept) + std::string(1, '\0') + kAccept),
            R"(invalid policy in "/p/policy.json": invalid character '\x00' at offset 48)");
  EXPECT_EQ(error_of(R"({"default":1e999})"),
            R"(invalid policy in "/p/policy.json": invalid JSON)");
  EXPECT_NE(error_of("[]").find("expected a JSON object"), std::string::npos);
  EXPECT_NE(error_of("{}").find("missing \"default\""), std::string::npos);
  EXPECT_NE(error_of(R"({"default":[]})").find("empty requirement list"), std::string::npos);
  EXPECT_NE(error_of(R"({"default":{}})").find("expected an array"), std::string::npos);
  EXPECT_NE(error_of(R"({"default":[{"type":"insecureAcceptAnything"}],"x":1})")
                .find("unknown key \"x\""),
            std::string::npos);
  EXPECT_NE(error_of(R"({"default":[{"type":"reject"}],"default":[{"type":"reject"}]})")
                .find("duplicate key \"default\""),
            std::string::npos);
  EXPECT_NE(error_of(R"({"default":[{"type":"reject","keyPath":"/k"}]})")
                .find("default[0]: unknown key \"keyPath\""),
            std::string::npos);
  EXPECT_NE(error_of(R"({"default":[{"type":"acceptAll"}]})").find("unknown requirement type"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"default":[{}]})").find("missing \"type\""), std::string::npos);
  EXPECT_NE(error_of(R"({"default":[{"type":1}]})").find("expected a string"), std::string::npos);
  EXPECT_NE(error_of(R"({"default":[1]})").find("expected a JSON object"), std::string::npos);
}

TEST(PolicyTest, RejectsBadTransportsAndScopes) {
  EXPECT_NE(error_of(R"({"default":[{"type":"reject"}],"transports":[]})")
                .find("transports: expected a JSON object"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"default":[{"type":"reject"}],"transports":{"ftp":{}}})")
                .find("unknown transport \"ftp\""),
            std::string::npos);
  EXPECT_NE(error_of(with_docker_scope("*.", R"({"type":"reject"})")).find("wildcard"),
            std::string::npos);
  EXPECT_NE(error_of(with_docker_scope("*.a.com/x", R"({"type":"reject"})")).find("wildcard"),
            std::string::npos);
  EXPECT_NE(error_of(with_docker_scope("Busybox", R"({"type":"reject"})")).find("fully expanded"),
            std::string::npos);
  EXPECT_NE(error_of(with_docker_scope("quay.io/ns", "")).find("empty requirement"),
            std::string::npos);
  EXPECT_EQ(error_of(with_docker_scope("quay.io", R"({"type":"reject"})")), "");
  EXPECT_EQ(error_of(with_docker_scope("host:5000/a/b:1", R"({"type":"reject"})")), "");
  EXPECT_EQ(error_of(with_docker_scope("*.example.com", R"({"type":"reject"})")), "");
  const char* path_policy =
      R"({"default":[{"type":"reject"}],"transports":{"oci":{"%s":[{"type":"reject"}]}}})";
  auto oci = [&](const std::string& scope) {
    std::string text = path_policy;
    return error_of(text.replace(text.find("%s"), 2, scope));
  };
  EXPECT_NE(oci("relative/x").find("absolute"), std::string::npos);
  EXPECT_NE(oci("/").find("not allowed"), std::string::npos);
  EXPECT_NE(oci("/a/../b").find("clean"), std::string::npos);
  EXPECT_EQ(oci("/srv/a"), "");
  EXPECT_NE(
      error_of(
          R"({"default":[{"type":"reject"}],"transports":{"docker-archive":{"/x":[{"type":"reject"}]}}})")
          .find("only the \"\" scope"),
      std::string::npos);
}

TEST(PolicyTest, RejectsBadSignedBy) {
  auto signed_by = [](const std::string& fields) {
    return error_of(R"({"default":[{"type":"signedBy")" + fields + "}]}");
  };
  EXPECT_NE(signed_by(R"(,"keyPath":"/k")").find("missing \"keyType\""), std::string::npos);
  EXPECT_NE(signed_by(R"(,"keyType":"RSA","keyPath":"/k")").find("unknown keyType"),
            std::string::npos);
  EXPECT_NE(signed_by(R"(,"keyType":"GPGKeys")").find("exactly one of"), std::string::npos);
  EXPECT_NE(signed_by(R"(,"keyType":"GPGKeys","keyPath":"/k","keyData":"AA==")").find("both"),
            std::string::npos);
  EXPECT_NE(signed_by(R"(,"keyType":"GPGKeys","keyPaths":[])").find("non-empty array"),
            std::string::npos);
  EXPECT_NE(signed_by(R"(,"keyType":"GPGKeys","keyPath":5)").find("expected a string"),
            std::string::npos);
  EXPECT_NE(signed_by(R"(,"keyType":"GPGKeys","keyPath":"/k","keyDatas":["a"])")
                .find("unknown key \"keyDatas\""),
            std::string::npos);
  EXPECT_EQ(signed_by(R"(,"keyType":"GPGKeys","keyData":"AA==")"), "");
}

TEST(PolicyTest, RejectsBadSigstoreSigned) {
  auto sigstore = [](const std::string& fields) {
    return error_of(R"({"default":[{"type":"sigstoreSigned")" + fields + "}]}");
  };
  EXPECT_NE(sigstore("").find("exactly one of"), std::string::npos);
  EXPECT_NE(sigstore(R"(,"keyPath":"/k","keyDatas":["x"])").find("both"), std::string::npos);
  EXPECT_NE(sigstore(R"(,"keyPath":"/k","rekorPublicKeyPath":"/r","rekorPublicKeyData":"x")")
                .find("both"),
            std::string::npos);
  EXPECT_NE(sigstore(R"(,"fulcio":{"caPath":"/ca","oidcIssuer":"i","subjectEmail":"e"})")
                .find("requires a Rekor key"),
            std::string::npos);
  EXPECT_NE(sigstore(R"(,"fulcio":{"caPath":"/ca","subjectEmail":"e"},"rekorPublicKeyPath":"/r")")
                .find("missing \"oidcIssuer\""),
            std::string::npos);
  EXPECT_NE(
      sigstore(
          R"(,"fulcio":{"caPath":"/ca","oidcIssuer":"i","subjectEmail":"e","x":1},"rekorPublicKeyPath":"/r")")
          .find("unknown key \"x\""),
      std::string::npos);
  EXPECT_NE(sigstore(R"(,"pki":{"caRootsPath":"/ca","subjectEmail":"e"},"rekorPublicKeyPath":"/r")")
                .find("does not allow a Rekor key"),
            std::string::npos);
  EXPECT_NE(sigstore(R"(,"pki":{"caRootsPath":"/ca"})").find("subjectEmail or subjectHostname"),
            std::string::npos);
  EXPECT_EQ(
      sigstore(
          R"(,"fulcio":{"caData":"x","oidcIssuer":"i","subjectEmail":"e"},"rekorPublicKeyData":"r")"),
      "");
  EXPECT_EQ(
      sigstore(R"(,"pki":{"caRootsData":"x","caIntermediatesPath":"/i","subjectHostname":"h"})"),
      "");
}

TEST(PolicyTest, KeepsFulcioAndRekorValues) {
  Policy p = parse_policy(
      R"({"default":[{"type":"sigstoreSigned","fulcio":{"caPath":"/ca.pem",
          "oidcIssuer":"https://issuer","subjectEmail":"me@example.com"},
          "rekorPublicKeyPath":"/rekor.pub","signedIdentity":{"type":"matchRepository"}}]})",
      "p");
  const Requirement& r = p.default_requirements.at(0);
  ASSERT_TRUE(r.fulcio);
  EXPECT_EQ(r.key_source, "fulcio");
  EXPECT_EQ(r.fulcio->ca_path, "/ca.pem");
  EXPECT_EQ(r.fulcio->ca_data, "");
  EXPECT_EQ(r.fulcio->oidc_issuer, "https://issuer");
  EXPECT_EQ(r.fulcio->subject_email, "me@example.com");
  EXPECT_EQ(r.rekor_paths, std::vector<std::string>{"/rekor.pub"});
  EXPECT_EQ(r.signed_identity->type, "matchRepository");
  Policy data = parse_policy(
      R"({"default":[{"type":"sigstoreSigned","fulcio":{"caData":"Q0E=","oidcIssuer":"i",
          "subjectEmail":"e"},"rekorPublicKeyDatas":["UjE=","UjI="]}]})",
      "p");
  EXPECT_EQ(data.default_requirements[0].fulcio->ca_data, "Q0E=");
  EXPECT_EQ(data.default_requirements[0].rekor_datas, (std::vector<std::string>{"UjE=", "UjI="}));

  auto sigstore = [](const std::string& fields) {
    return error_of(R"({"default":[{"type":"sigstoreSigned")" + fields + "}]}");
  };
  EXPECT_NE(
      sigstore(
          R"(,"fulcio":{"caPath":"/ca","oidcIssuer":"","subjectEmail":"e"},"rekorPublicKeyPath":"/r")")
          .find("fulcio.oidcIssuer: must not be empty"),
      std::string::npos);
  EXPECT_NE(
      sigstore(
          R"(,"fulcio":{"caPath":"/ca","oidcIssuer":"i","subjectEmail":""},"rekorPublicKeyPath":"/r")")
          .find("fulcio.subjectEmail: must not be empty"),
      std::string::npos);
  EXPECT_NE(
      sigstore(
          R"(,"fulcio":{"caPath":"","oidcIssuer":"i","subjectEmail":"e"},"rekorPublicKeyPath":"/r")")
          .find("the CA must not be empty"),
      std::string::npos);
  EXPECT_NE(
      sigstore(
          R"(,"fulcio":{"caPath":"/ca","caData":"x","oidcIssuer":"i","subjectEmail":"e"},"rekorPublicKeyPath":"/r")")
          .find("both"),
      std::string::npos);
  EXPECT_NE(sigstore(R"(,"fulcio":"/ca","rekorPublicKeyPath":"/r")").find("expected a JSON object"),
            std::string::npos);
  EXPECT_NE(
      sigstore(
          R"(,"fulcio":{"caPath":"/ca","oidcIssuer":5,"subjectEmail":"e"},"rekorPublicKeyPath":"/r")")
          .find("expected a string"),
      std::string::npos);
  EXPECT_NE(sigstore(R"(,"keyPath":"/k","rekorPublicKeyPath":"")").find("must not be empty"),
            std::string::npos);
  EXPECT_NE(sigstore(R"(,"keyPath":"/k","rekorPublicKeyPaths":[])").find("non-empty array"),
            std::string::npos);
  EXPECT_NE(sigstore(R"(,"keyPath":"/k","rekorPublicKeyData":7)").find("expected a string"),
            std::string::npos);
}

TEST(PolicyTest, RejectsBadSignedIdentity) {
  auto identity = [](const std::string& id) {
    return error_of(R"({"default":[{"type":"sigstoreSigned","keyPath":"/k","signedIdentity":)" +
                    id + "}]}");
  };
  EXPECT_EQ(identity(R"({"type":"matchExact"})"), "");
  EXPECT_EQ(identity(R"({"type":"matchRepoDigestOrExact"})"), "");
  EXPECT_EQ(identity(R"({"type":"exactReference","dockerReference":"docker.io/library/a:1"})"), "");
  EXPECT_EQ(identity(R"({"type":"exactRepository","dockerRepository":"quay.io/a/b"})"), "");
  EXPECT_NE(identity(R"({"type":"matchExact","prefix":"x"})").find("unknown key \"prefix\""),
            std::string::npos);
  EXPECT_NE(identity(R"({"type":"matchAnything"})").find("unknown signedIdentity type"),
            std::string::npos);
  EXPECT_NE(identity(R"({"type":"exactReference","dockerReference":"busybox"})")
                .find("not a normalized reference"),
            std::string::npos);
  EXPECT_NE(identity(R"({"type":"exactReference","dockerReference":"docker.io/library/a"})")
                .find("tag or digest"),
            std::string::npos);
  EXPECT_NE(identity(R"({"type":"exactRepository","dockerRepository":"quay.io/a:1"})")
                .find("not a normalized repository"),
            std::string::npos);
  EXPECT_NE(identity(R"({"type":"exactRepository"})").find("missing \"dockerRepository\""),
            std::string::npos);
  EXPECT_NE(
      identity(R"({"type":"remapIdentity","prefix":"quay.io"})").find("missing \"signedPrefix\""),
      std::string::npos);
  EXPECT_NE(identity(R"({"type":"remapIdentity","prefix":"*.io","signedPrefix":"quay.io"})")
                .find("remapIdentity prefix"),
            std::string::npos);
  EXPECT_NE(identity("[]").find("expected a JSON object"), std::string::npos);
}

TEST(PolicyTest, MissingFileIsNotFound) {
  try {
    load_policy("/nonexistent/policy.json");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kNotFound);
    EXPECT_NE(std::string(e.what()).find("/nonexistent/policy.json"), std::string::npos);
  }
}

TEST(PolicyTest, PathLookupPrefersExplicitThenHome) {
  EXPECT_EQ(policy_path("/x/p.json"), "/x/p.json");
  std::string saved = getenv("HOME") ? getenv("HOME") : "";
  setenv("HOME", "/nonexistent-home", 1);
  EXPECT_EQ(policy_path(""), "/etc/containers/policy.json");
  setenv("HOME", saved.c_str(), 1);
}

}  // namespace
}  // namespace schicht::trust
