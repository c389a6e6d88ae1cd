#include "core/reference.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.h"
#include "error_of.h"

namespace schicht {
namespace {

const std::string kHex64F(64, 'f');
const std::string kSha256F = "sha256:" + kHex64F;
const std::string kSha512F = "sha512:" + std::string(128, 'f');
const std::string kBusyboxDigest =
    "sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa";
// A 64-character lowercase hex string: an image ID, never a repository name.
const std::string kImageId = "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a";

const char kInvalid[] = "invalid reference format";
const char kUppercase[] = "repository name must be lowercase";
const char kNormalizedUppercase[] = "invalid reference format: repository name must be lowercase";
const char kTooLong[] = "repository name must not be more than 255 characters";

// "a/a/.../a" with `components` components.
std::string slashed_as(int components) {
  std::string out = "a";
  for (int i = 1; i < components; ++i) out += "/a";
  return out;
}

// The bare grammar, before any normalization.
struct GrammarCase {
  std::string input;
  std::string domain;
  std::string path;
  std::string tag;
  std::string digest;
  std::string error;  // the whole message; empty when the input is valid
};

std::vector<GrammarCase> grammar_cases() {
  return {
      {"test_com", "", "test_com", "", "", ""},
      {"test.com:tag", "", "test.com", "tag", "", ""},
      {"test.com:5000", "", "test.com", "5000", "", ""},
      {"test.com/repo:tag", "test.com", "repo", "tag", "", ""},
      {"test:5000/repo", "test:5000", "repo", "", "", ""},
      {"test:5000/repo:tag", "test:5000", "repo", "tag", "", ""},
      {"test:5000/repo@" + kSha256F, "test:5000", "repo", "", kSha256F, ""},
      {"test:5000/repo:tag@" + kSha256F, "test:5000", "repo", "tag", kSha256F, ""},
      {"", "", "", "", "", "repository name must have at least one component"},
      {":justtag", "", "", "", "", kInvalid},
      {"@" + kSha256F, "", "", "", "", kInvalid},
      {"repo@sha256:" + std::string(34, 'f'), "", "", "", "", "invalid checksum digest length"},
      {"validname@invaliddigest:" + kHex64F, "", "", "", "", "unsupported digest algorithm"},
      {"Uppercase:tag", "", "", "", "", kUppercase},
      // The grammar lets a host have capitals, so this one parses; normalization rejects it.
      {"Uppercase/lowercase:tag", "Uppercase", "lowercase", "tag", "", ""},
      {"test:5000/Uppercase/lowercase:tag", "", "", "", "", kUppercase},
      {"lowercase:Uppercase", "", "lowercase", "Uppercase", "", ""},
      // The limit counts the whole name, domain included (257 characters here).
      {slashed_as(129) + ":tag", "", "", "", "", kTooLong},
      // 255 characters of name; the tag does not count.
      {slashed_as(128) + ":tag-puts-this-over-max", "a", slashed_as(127), "tag-puts-this-over-max",
       "", ""},
      {"aa/asdf$$^/aa", "", "", "", "", kInvalid},
      {"sub-dom1.foo.com/bar/baz/quux", "sub-dom1.foo.com", "bar/baz/quux", "", "", ""},
      {"sub-dom1.foo.com/bar/baz/quux:some-long-tag", "sub-dom1.foo.com", "bar/baz/quux",
       "some-long-tag", "", ""},
      {"b.gcr.io/test.example.com/my-app:test.example.com", "b.gcr.io", "test.example.com/my-app",
       "test.example.com", "", ""},
      {"xn--n3h.com/myimage:xn--n3h.com", "xn--n3h.com", "myimage", "xn--n3h.com", "", ""},
      {"xn--7o8h.com/myimage:xn--7o8h.com@" + kSha512F, "xn--7o8h.com", "myimage", "xn--7o8h.com",
       kSha512F, ""},
      {"foo_bar.com:8080", "", "foo_bar.com", "8080", "", ""},
      {"foo/foo_bar.com:8080", "foo", "foo_bar.com", "8080", "", ""},
      {"192.168.1.1", "", "192.168.1.1", "", "", ""},
      {"192.168.1.1:tag", "", "192.168.1.1", "tag", "", ""},
      {"192.168.1.1:5000", "", "192.168.1.1", "5000", "", ""},
      {"192.168.1.1/repo", "192.168.1.1", "repo", "", "", ""},
      {"192.168.1.1:5000/repo", "192.168.1.1:5000", "repo", "", "", ""},
      {"192.168.1.1:5000/repo:5050", "192.168.1.1:5000", "repo", "5050", "", ""},
      // Bracketed IPv6 hosts came to distribution after the grammar podman 4.3 ships.
      {"[2001:db8::1]", "", "", "", "", kInvalid},
      {"[2001:db8::1]/repo", "", "", "", "", kInvalid},
      {"[::1]:5000/repo", "", "", "", "", kInvalid},
      {"[fe80::1%eth0]:5000/repo", "", "", "", "", kInvalid},
      // Separators inside a path component: ".", "_", "__" or any run of "-".
      {"foo__bar", "", "foo__bar", "", "", ""},
      {"foo---bar", "", "foo---bar", "", "", ""},
      {"foo.bar_baz-qux", "", "foo.bar_baz-qux", "", "", ""},
      {"foo___bar", "", "", "", "", kInvalid},
      {"foo.-bar", "", "", "", "", kInvalid},
      {"foo..bar", "", "", "", "", kInvalid},
      {"foo_", "", "", "", "", kInvalid},
      {"foo//bar", "", "", "", "", kInvalid},
      {"foo/", "", "", "", "", kInvalid},
      {"/foo", "", "", "", "", kInvalid},
      {"-docker-/x", "", "", "", "", kInvalid},
      {"<foo>/bar", "", "", "", "", kInvalid},
      // Tags.
      {"foo:", "", "", "", "", kInvalid},
      {"foo:-x", "", "", "", "", kInvalid},
      {"foo:_x.y-Z", "", "foo", "_x.y-Z", "", ""},
      {"foo:" + std::string(128, 't'), "", "foo", std::string(128, 't'), "", ""},
      {"foo:" + std::string(129, 't'), "", "", "", "", kInvalid},
      {"foo:a:b", "", "", "", "", kInvalid},
      // Digests: the grammar wants at least 32 hex digits, go-digest the exact length.
      {"foo@sha256:abc", "", "", "", "", kInvalid},
      {"foo@sha256:" + std::string(64, 'F'), "", "", "", "", "invalid checksum digest format"},
      {"foo@MD5:" + kHex64F, "", "", "", "", "invalid checksum digest format"},
      {"foo@sha512:" + kHex64F, "", "", "", "", "invalid checksum digest length"},
      // go-digest knows sha384, schicht's Digest does not.
      {"foo@sha384:" + std::string(96, 'f'), "", "", "", "", "unsupported digest algorithm"},
      {"foo@sha256:" + kHex64F + "@x", "", "", "", "", kInvalid},
      {"foo@", "", "", "", "", kInvalid},
  };
}

TEST(ReferenceTest, GrammarMatchesDistribution) {
  for (const GrammarCase& c : grammar_cases()) {
    SCOPED_TRACE(c.input);
    if (!c.error.empty()) {
      EXPECT_EQ(error_of(ErrorKind::kInvalidInput, [&] { Reference::parse_unnormalized(c.input); }),
                c.error);
      continue;
    }
    Reference ref = Reference::parse_unnormalized(c.input);
    EXPECT_EQ(ref.domain, c.domain);
    EXPECT_EQ(ref.path, c.path);
    EXPECT_EQ(ref.tag, c.tag);
    EXPECT_EQ(ref.digest ? ref.digest->str() : "", c.digest);
    EXPECT_EQ(ref.str(), c.input);  // nothing is lost or added
  }
}

// Docker normalization: input -> str(), or the error message.
struct NormalizeCase {
  std::string input;
  std::string full;
  std::string error;
};

std::vector<NormalizeCase> normalize_cases() {
  return {
      {"busybox", "docker.io/library/busybox", ""},
      {"busybox:latest", "docker.io/library/busybox:latest", ""},
      {"docker/docker", "docker.io/docker/docker", ""},
      {"library/debian", "docker.io/library/debian", ""},
      {"debian", "docker.io/library/debian", ""},
      {"docker.io/docker/docker", "docker.io/docker/docker", ""},
      {"docker.io/library/debian", "docker.io/library/debian", ""},
      {"docker.io/debian", "docker.io/library/debian", ""},
      {"index.docker.io/docker/docker", "docker.io/docker/docker", ""},
      {"index.docker.io/library/debian", "docker.io/library/debian", ""},
      {"index.docker.io/debian", "docker.io/library/debian", ""},
      {"127.0.0.1:5000/docker/docker", "127.0.0.1:5000/docker/docker", ""},
      {"127.0.0.1:5000/library/debian", "127.0.0.1:5000/library/debian", ""},
      {"127.0.0.1:5000/debian", "127.0.0.1:5000/debian", ""},
      {"192.168.0.1", "docker.io/library/192.168.0.1", ""},
      {"192.168.0.1:80", "docker.io/library/192.168.0.1:80", ""},
      {"192.168.0.1:8/debian", "192.168.0.1:8/debian", ""},
      {"192.168.0.2:25000/debian", "192.168.0.2:25000/debian", ""},
      {"host:5000/a/b:tag", "host:5000/a/b:tag", ""},
      {"localhost/foo", "localhost/foo", ""},
      {"localhost:5000/foo:bar", "localhost:5000/foo:bar", ""},
      {"localhost", "docker.io/library/localhost", ""},
      {"localhost:5000", "docker.io/library/localhost:5000", ""},
      {"test_com/foo", "docker.io/test_com/foo", ""},
      {"EXAMPLE.com/foo", "EXAMPLE.com/foo", ""},
      {"thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
       "docker.io/library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev", ""},
      // With a domain in front, a hex name is no longer mistakable for an image ID.
      {"docker.io/" + kImageId, "docker.io/library/" + kImageId, ""},
      {"docker-rules/docker", "docker.io/docker-rules/docker", ""},
      {"docker---rules/docker", "docker.io/docker---rules/docker", ""},
      {"d/docker", "docker.io/d/docker", ""},
      {"jess/t", "docker.io/jess/t", ""},
      {"dock__er/docker", "docker.io/dock__er/docker", ""},
      {"busybox@" + kBusyboxDigest, "docker.io/library/busybox@" + kBusyboxDigest, ""},
      {"busybox:latest@" + kBusyboxDigest, "docker.io/library/busybox:latest@" + kBusyboxDigest,
       ""},
      {kImageId, "",
       "invalid repository name (" + kImageId + "), cannot specify 64-byte hexadecimal strings"},
      {"https://github.com/docker/docker", "", kInvalid},
      {"docker/Docker", "", kNormalizedUppercase},
      {"docker.io/docker/Docker", "", kNormalizedUppercase},
      {"docker.io/Foo", "", kNormalizedUppercase},
      {"Foo", "", kNormalizedUppercase},
      // Newer distribution takes an uppercase first component for a domain; podman 4.3 does not.
      {"Docker/docker", "", kNormalizedUppercase},
      {"DOCKER/docker", "", kNormalizedUppercase},
      {"-docker", "", kInvalid},
      {"-docker/docker", "", kInvalid},
      {"-docker.io/docker/docker", "", kInvalid},
      {"docker-/docker", "", kInvalid},
      {"-docker-/docker", "", kInvalid},
      {"docker///docker", "", kInvalid},
      {"docker.io/docker///docker", "", kInvalid},
      {"____/____", "", kInvalid},
      {"_docker/_docker", "", kInvalid},
      {"dock..er/docker", "", kInvalid},
      {"dock_.er/docker", "", kInvalid},
      {"dock-.er/docker", "", kInvalid},
      {"docker/", "", kInvalid},
      {"", "", kInvalid},
      {"[fc00::1]", "", kInvalid},
      {"[fc00::1]:5000", "", kInvalid},
      {"[fc00::1]:5000/docker", "", kInvalid},
      {"fc00::1:5000/debian", "", kInvalid},
      {"[2001:db8:3:4::192.0.2.33]:5000/debian", "", kInvalid},
      {std::string(250, 'n') + "/docker", "", kTooLong},
      // "docker.io/library/" counts too: 237 characters become 255, 238 become 256.
      {std::string(237, 'n'), "docker.io/library/" + std::string(237, 'n'), ""},
      {std::string(238, 'n'), "", kTooLong},
  };
}

TEST(ReferenceTest, NormalizesLikeDocker) {
  for (const NormalizeCase& c : normalize_cases()) {
    SCOPED_TRACE(c.input);
    if (!c.error.empty()) {
      EXPECT_EQ(error_of(ErrorKind::kInvalidInput, [&] { Reference::parse(c.input); }), c.error);
      EXPECT_FALSE(Reference::try_parse(c.input).has_value());
      continue;
    }
    Reference ref = Reference::parse(c.input);
    EXPECT_EQ(ref.str(), c.full);
    std::optional<Reference> again = Reference::try_parse(c.input);
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(*again, ref);
    // A normalized reference is a fixed point.
    EXPECT_EQ(Reference::parse(ref.str()), ref);
  }
}

TEST(ReferenceTest, SplitsDomainAndPath) {
  struct Case {
    std::string input, domain, path;
  };
  for (const Case& c : std::vector<Case>{
           {"test.com/foo", "test.com", "foo"},
           {"test_com/foo", "docker.io", "test_com/foo"},
           {"docker/migrator", "docker.io", "docker/migrator"},
           {"test.com:8080/foo", "test.com:8080", "foo"},
           {"test-com:8080/foo", "test-com:8080", "foo"},
           {"foo", "docker.io", "library/foo"},
           {"xn--n3h.com/foo", "xn--n3h.com", "foo"},
           {"xn--n3h.com:18080/foo", "xn--n3h.com:18080", "foo"},
           {"docker.io/foo", "docker.io", "library/foo"},
           {"docker.io/library/foo", "docker.io", "library/foo"},
           {"docker.io/library/foo/bar", "docker.io", "library/foo/bar"},
           {"localhost/foo", "localhost", "foo"},
           // Docker's split says "domain", the grammar says "no host": the grammar wins.
           {"foo_bar.com/x", "", "foo_bar.com/x"},
       }) {
    SCOPED_TRACE(c.input);
    Reference ref = Reference::parse(c.input);
    EXPECT_EQ(ref.domain, c.domain);
    EXPECT_EQ(ref.path, c.path);
    EXPECT_EQ(ref.name(), c.domain.empty() ? c.path : c.domain + "/" + c.path);
  }
}

TEST(ReferenceTest, FamiliarForms) {
  struct Case {
    std::string familiar, full, domain, path;
    std::vector<std::string> spellings;  // more inputs naming the same repository
  };
  for (const Case& c : std::vector<Case>{
           {"fooo/bar",
            "docker.io/fooo/bar",
            "docker.io",
            "fooo/bar",
            {"index.docker.io/fooo/bar"}},
           {"ubuntu",
            "docker.io/library/ubuntu",
            "docker.io",
            "library/ubuntu",
            {"library/ubuntu"}},
           {"nonlibrary/ubuntu",
            "docker.io/nonlibrary/ubuntu",
            "docker.io",
            "nonlibrary/ubuntu",
            {}},
           {"other/library", "docker.io/other/library", "docker.io", "other/library", {}},
           {"127.0.0.1:8000/private/moonbase",
            "127.0.0.1:8000/private/moonbase",
            "127.0.0.1:8000",
            "private/moonbase",
            {}},
           {"127.0.0.1:8000/privatebase",
            "127.0.0.1:8000/privatebase",
            "127.0.0.1:8000",
            "privatebase",
            {}},
           {"example.com/private/moonbase",
            "example.com/private/moonbase",
            "example.com",
            "private/moonbase",
            {}},
           {"example.com:8000/privatebasee",
            "example.com:8000/privatebasee",
            "example.com:8000",
            "privatebasee",
            {}},
           {"ubuntu-12.04-base",
            "docker.io/library/ubuntu-12.04-base",
            "docker.io",
            "library/ubuntu-12.04-base",
            {"index.docker.io/library/ubuntu-12.04-base"}},
           {"foo", "docker.io/library/foo", "docker.io", "library/foo", {"docker.io/foo"}},
           // Only a one-level official name loses "library/".
           {"library/foo/bar", "docker.io/library/foo/bar", "docker.io", "library/foo/bar", {}},
           {"store/foo/bar", "docker.io/store/foo/bar", "docker.io", "store/foo/bar", {}},
           {"localhost/foo", "localhost/foo", "localhost", "foo", {}},
       }) {
    std::vector<std::string> inputs = {c.familiar, c.full};
    inputs.insert(inputs.end(), c.spellings.begin(), c.spellings.end());
    for (const std::string& input : inputs) {
      SCOPED_TRACE(input);
      Reference ref = Reference::parse(input);
      EXPECT_EQ(ref.familiar(), c.familiar);
      EXPECT_EQ(ref.str(), c.full);
      EXPECT_EQ(ref.domain, c.domain);
      EXPECT_EQ(ref.path, c.path);
    }
  }
}

TEST(ReferenceTest, KeepsTagAndDigestTogether) {
  std::string short_form = "busybox:latest@" + kBusyboxDigest;
  Reference ref = Reference::parse(short_form);
  EXPECT_EQ(ref.tag, "latest");
  ASSERT_TRUE(ref.digest.has_value());
  EXPECT_EQ(ref.digest->str(), kBusyboxDigest);
  EXPECT_EQ(ref.str(), "docker.io/library/" + short_form);
  EXPECT_EQ(ref.familiar(), short_form);
  EXPECT_EQ(Reference::parse("docker.io/library/busybox@" + kBusyboxDigest).familiar(),
            "busybox@" + kBusyboxDigest);
}

TEST(ReferenceTest, DockerRefHasTagOrDigest) {
  EXPECT_EQ(Reference::parse_docker_ref("busybox").str(), "docker.io/library/busybox:latest");
  EXPECT_EQ(Reference::parse_docker_ref("busybox:1.36").str(), "docker.io/library/busybox:1.36");
  EXPECT_EQ(Reference::parse_docker_ref("busybox@" + kBusyboxDigest).str(),
            "docker.io/library/busybox@" + kBusyboxDigest);
  EXPECT_EQ(Reference::parse_docker_ref("busybox:latest@" + kBusyboxDigest).str(),
            "docker.io/library/busybox@" + kBusyboxDigest);
  EXPECT_EQ(error_of(ErrorKind::kInvalidInput, [] { Reference::parse_docker_ref("Busybox"); }),
            kNormalizedUppercase);
}

TEST(ReferenceTest, DefaultTag) {
  EXPECT_EQ(Reference::parse("busybox").with_default_tag().tag, "latest");
  EXPECT_EQ(Reference::parse("busybox:1").with_default_tag().tag, "1");
  Reference digested = Reference::parse("busybox@" + kBusyboxDigest).with_default_tag();
  EXPECT_EQ(digested.tag, "");
  EXPECT_EQ(digested.str(), "docker.io/library/busybox@" + kBusyboxDigest);
}

// What podman 4.3 made of these names in `podman tag IMAGE NAME` and `podman import`
// (the images it listed afterwards), or the message it printed after its own
// `normalizing name "NAME": ` prefix.
TEST(ReferenceTest, LocalNamesLikePodman) {
  std::string digest = "sha256:246fcca6705a0e9bc88666bb88ad24bcb25706840b852d5ef99a7d342a1107b9";
  struct Case {
    std::string input, full, error;
  };
  std::string long_name = slashed_as(128);    // 255 characters: valid until localhost/ joins
  std::string longer_name = slashed_as(129);  // 257 characters: invalid as written
  for (const Case& c : std::vector<Case>{
           {"foo", "localhost/foo:latest", ""},
           {"foo/bar", "localhost/foo/bar:latest", ""},
           {"docker.io/foo", "docker.io/library/foo:latest", ""},
           {"docker.io/foo/bar", "docker.io/foo/bar:latest", ""},
           {"index.docker.io/foo", "docker.io/library/foo:latest", ""},
           {"localhost/foo", "localhost/foo:latest", ""},
           {"localhost:5000/foo", "localhost:5000/foo:latest", ""},
           {"example.com/foo", "example.com/foo:latest", ""},
           {"EXAMPLE.com/foo", "EXAMPLE.com/foo:latest", ""},
           {"foo:v1", "localhost/foo:v1", ""},
           {"foo/bar:v2", "localhost/foo/bar:v2", ""},
           {"library/foo", "localhost/library/foo:latest", ""},
           {"foo__bar", "localhost/foo__bar:latest", ""},
           {"foo--bar", "localhost/foo--bar:latest", ""},
           {"localhost", "localhost/localhost:latest", ""},
           {"localhost:5000", "localhost/localhost:5000", ""},
           {"example.com", "localhost/example.com:latest", ""},
           {"foo_bar.com/x", "localhost/foo_bar.com/x:latest", ""},
           {kImageId, "localhost/" + kImageId + ":latest", ""},
           {"x/" + kImageId, "localhost/x/" + kImageId + ":latest", ""},
           {"foo@" + digest, "localhost/foo@" + digest, ""},
           {"foo:v3@" + digest, "localhost/foo@" + digest, ""},
           {"Foo", "", "normalizing name \"Foo\": repository name must be lowercase"},
           {"Foo/bar", "", kNormalizedUppercase},
           {"foo/Bar", "", "normalizing name \"foo/Bar\": repository name must be lowercase"},
           {"example.com/Foo", "",
            "normalizing name \"example.com/Foo\": repository name must be lowercase"},
           {"[::1]:5000/foo", "", "normalizing name \"[::1]:5000/foo\": invalid reference format"},
           {"<foo>/bar", "", "normalizing name \"<foo>/bar\": invalid reference format"},
           {"foo:", "", "normalizing name \"foo:\": invalid reference format"},
           {":tag", "", "normalizing name \":tag\": invalid reference format"},
           {"foo bar", "", "normalizing name \"foo bar\": invalid reference format"},
           {"foo:-x", "", "normalizing name \"foo:-x\": invalid reference format"},
           {"foo//bar", "", "normalizing name \"foo//bar\": invalid reference format"},
           {"foo___bar", "", "normalizing name \"foo___bar\": invalid reference format"},
           {"foo.-bar", "", "normalizing name \"foo.-bar\": invalid reference format"},
           {"foo@sha256:abc", "", "normalizing name \"foo@sha256:abc\": invalid reference format"},
           {long_name, "", kTooLong},
           {longer_name, "", "normalizing name \"" + longer_name + "\": " + kTooLong},
           {"example.com/" + long_name, "",
            "normalizing name \"example.com/" + long_name + "\": " + kTooLong},
       }) {
    SCOPED_TRACE(c.input);
    if (!c.error.empty()) {
      EXPECT_EQ(error_of(ErrorKind::kInvalidInput, [&] { Reference::parse_local(c.input); }),
                c.error);
      continue;
    }
    EXPECT_EQ(Reference::parse_local(c.input).str(), c.full);
  }
}

TEST(ReferenceTest, ExplicitDomains) {
  for (const char* text : {"localhost/foo", "localhost:5000/foo", "example.com/foo",
                           "docker.io/foo", "host:5000/a/b:tag", "EXAMPLE.com/foo"}) {
    EXPECT_TRUE(has_explicit_domain(text)) << text;
  }
  for (const char* text : {"foo", "foo/bar", "library/foo", "foo_bar.com/x", "localhost",
                           "example.com", "Foo/bar", "", "foo:", "[::1]:5000/foo"}) {
    EXPECT_FALSE(has_explicit_domain(text)) << text;
  }
}

TEST(ReferenceTest, TagGrammar) {
  for (std::string tag : {std::string("latest"), std::string("v1.2-rc_3"), std::string("_x"),
                          std::string("UPPER"), std::string(128, '9')}) {
    EXPECT_TRUE(is_valid_tag(tag)) << tag;
  }
  for (std::string tag : {std::string(), std::string("-x"), std::string(".x"), std::string("a:b"),
                          std::string("a/b"), std::string("a b"), std::string(129, '9')}) {
    EXPECT_FALSE(is_valid_tag(tag)) << tag;
  }
}

TEST(ReferenceTest, NameAndStrOfUnnormalized) {
  Reference ref = Reference::parse_unnormalized("foo/bar:baz");
  EXPECT_EQ(ref.domain, "foo");  // the grammar's host, though not a registry
  EXPECT_EQ(ref.name(), "foo/bar");
  EXPECT_EQ(ref.str(), "foo/bar:baz");
  EXPECT_EQ(ref.familiar(), "foo/bar:baz");
  Reference bare = Reference::parse_unnormalized("foo");
  EXPECT_EQ(bare.domain, "");
  EXPECT_EQ(bare.name(), "foo");
}

}  // namespace
}  // namespace schicht
