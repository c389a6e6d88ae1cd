// Scope matching (most specific first) and evaluation without signature verification.
#include "trust/evaluate.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "trust/scope.h"

namespace schicht::trust {
namespace {

using Strings = std::vector<std::string>;

TEST(ScopeTest, DockerCandidatesMostSpecificFirst) {
  EXPECT_EQ(docker_scopes(Reference::parse("registry.example.com:5000/ns/app:v1")),
            (Strings{"registry.example.com:5000/ns/app:v1", "registry.example.com:5000/ns/app",
                     "registry.example.com:5000/ns", "registry.example.com:5000", "*.example.com",
                     "*.com"}));
  EXPECT_EQ(docker_scopes(Reference::parse("busybox")),
            (Strings{"docker.io/library/busybox", "docker.io/library", "docker.io", "*.io"}));
  EXPECT_EQ(docker_scopes(Reference::parse("localhost/a:1")),
            (Strings{"localhost/a:1", "localhost/a", "localhost"}));
}

TEST(ScopeTest, PathCandidates) {
  EXPECT_EQ(path_scopes("/srv/images/a.tar"),
            (Strings{"/srv/images/a.tar", "/srv/images", "/srv"}));
  EXPECT_EQ(path_scopes("/"), Strings{});
  EXPECT_EQ(path_scopes(""), Strings{});
}

Policy sample() {
  return parse_policy(R"({"default":[{"type":"insecureAcceptAnything"}],"transports":{
    "docker":{"127.0.0.1:5000/a":[{"type":"reject"}],
              "127.0.0.1:5000/a:ok":[{"type":"insecureAcceptAnything"}],
              "*.example.com":[{"type":"reject"}],
              "quay.io":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/k.gpg"}],
              "ghcr.io":[{"type":"sigstoreSigned","keyPath":"/c.pub"}],
              "x.io":[{"type":"signedBy","keyType":"X509Certificates","keyPath":"/k"}],
              "":[{"type":"insecureAcceptAnything"}]},
    "oci-archive":{"/srv/bad":[{"type":"reject"}]},
    "docker-archive":{"":[{"type":"reject"}]}}})",
                      "/p.json");
}

Subject docker(const std::string& text) {
  Reference r = Reference::parse_docker_ref(text);
  return Subject{"docker", "docker://" + r.str(), docker_scopes(r)};
}

class Signed : public SignatureSource {
 public:
  std::vector<Signature> signatures() override { return {{"simple-signing", "x"}}; }
};

TEST(EvaluateTest, MostSpecificScopeWins) {
  Policy p = sample();
  NoSignatures none;
  Decision d = evaluate(p, docker("127.0.0.1:5000/a:1"), none);
  EXPECT_FALSE(d.accepted);
  EXPECT_EQ(d.match.scope, "127.0.0.1:5000/a");
  EXPECT_EQ(d.requirement, "reject");
  EXPECT_EQ(d.reason, "Running image docker://127.0.0.1:5000/a:1 is rejected by policy.");
  EXPECT_TRUE(evaluate(p, docker("127.0.0.1:5000/a:ok"), none).accepted);
  EXPECT_TRUE(evaluate(p, docker("127.0.0.1:5000/ab:1"), none).accepted);
  Decision wild = evaluate(p, docker("a.b.example.com/x:1"), none);
  EXPECT_FALSE(wild.accepted);
  EXPECT_EQ(wild.match.scope, "*.example.com");
  Decision fallback = evaluate(p, docker("docker.io/library/busybox"), none);
  EXPECT_TRUE(fallback.accepted);
  EXPECT_EQ(fallback.match.scope, "");
  EXPECT_FALSE(fallback.match.is_default);
}

TEST(EvaluateTest, DefaultAndArchives) {
  Policy p = sample();
  NoSignatures none;
  Decision d = evaluate(p, Subject{"oci", "oci:/x", path_scopes("/x")}, none);
  EXPECT_TRUE(d.accepted);
  EXPECT_TRUE(d.match.is_default);
  EXPECT_FALSE(
      evaluate(p,
               Subject{"oci-archive", "oci-archive:/srv/bad/a.tar", path_scopes("/srv/bad/a.tar")},
               none)
          .accepted);
  EXPECT_TRUE(
      evaluate(p, Subject{"oci-archive", "oci-archive:/srv/ok.tar", path_scopes("/srv/ok.tar")},
               none)
          .accepted);
  EXPECT_FALSE(evaluate(p, Subject{"docker-archive", "docker-archive:/a.tar", {}}, none).accepted);
}

TEST(EvaluateTest, SignatureRequirementsRejectUnsignedImages) {
  Policy p = sample();
  NoSignatures none;
  for (const char* ref : {"quay.io/a:1", "ghcr.io/b:2"}) {
    Decision d = evaluate(p, docker(ref), none);
    EXPECT_FALSE(d.accepted);
    EXPECT_NE(d.reason.find("unsigned"), std::string::npos);
    try {
      enforce(d);
      FAIL();
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kPolicy);
      std::string m = e.what();
      EXPECT_EQ(m.rfind("Source image rejected: A signature was required", 0), 0u) << m;
      EXPECT_NE(m.find(d.match.scope), std::string::npos) << m;
      EXPECT_NE(m.find(d.requirement), std::string::npos) << m;
    }
  }
}

TEST(EvaluateTest, SignaturesWithoutAVerifierAreUnsupportedNotAccepted) {
  Policy p = sample();
  Signed signed_source;
  try {
    evaluate(p, docker("quay.io/a:1"), signed_source);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUnsupported);
    EXPECT_NE(std::string(e.what()).find("GPG"), std::string::npos);
  }
  NoSignatures none;
  try {
    evaluate(p, docker("x.io/a:1"), none);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUnsupported);
  }
}

class Verifier : public SignatureVerifier {
 public:
  explicit Verifier(bool ok) : ok_(ok) {}
  void verify(const Requirement&, const Signature&, const std::string&) override {
    if (!ok_) fail(ErrorKind::kPolicy, "signature by unknown key");
  }

 private:
  bool ok_;
};

TEST(EvaluateTest, VerifierDecidesWhenSignaturesExist) {
  Policy p = sample();
  Signed signed_source;
  Verifier good(true), bad(false);
  EXPECT_TRUE(evaluate(p, docker("quay.io/a:1"), signed_source, &good).accepted);
  Decision d = evaluate(p, docker("quay.io/a:1"), signed_source, &bad);
  EXPECT_FALSE(d.accepted);
  EXPECT_NE(d.reason.find("signature by unknown key"), std::string::npos) << d.reason;
  ASSERT_EQ(d.checked.size(), 1u);
}

}  // namespace
}  // namespace schicht::trust
