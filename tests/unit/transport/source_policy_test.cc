// The policy identity and scopes of every source transport (containers-policy.json(5)), and
// which scope of a policy decides for it: the most specific first, then the transport's ""
// scope, then the default.
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.h"
#include "core/fs.h"
#include "error_of.h"
#include "transport/source_policy.h"
#include "trust/policy.h"

namespace schicht::transport {
namespace {

using Strings = std::vector<std::string>;

trust::Subject subject_of(const std::string& text) {
  auto ref = parse_transport_name(text);
  if (!ref) throw std::logic_error("not a transport name: " + text);
  return policy_subject(*ref);
}

// Runs `fn` in `dir`, then returns to where the test was.
template <typename Fn>
void in_directory(const fs::path& dir, Fn&& fn) {
  fs::path before = fs::current_path();
  fs::current_path(dir);
  try {
    fn();
  } catch (...) {
    fs::current_path(before);
    throw;
  }
  fs::current_path(before);
}

TEST(SourcePolicyScopes, DockerFromTheTagToTheDomainWildcards) {
  trust::Subject s = subject_of("docker://registry.example.com:5000/team/app/web:1");
  EXPECT_EQ(s.transport, "docker");
  EXPECT_EQ(s.name, "docker://registry.example.com:5000/team/app/web:1");
  EXPECT_EQ(
      s.scopes,
      (Strings{"registry.example.com:5000/team/app/web:1", "registry.example.com:5000/team/app/web",
               "registry.example.com:5000/team/app", "registry.example.com:5000/team",
               "registry.example.com:5000", "*.example.com", "*.com"}));
}

TEST(SourcePolicyScopes, DockerShortNamesAndDigests) {
  trust::Subject s = subject_of("docker://busybox");
  EXPECT_EQ(s.name, "docker://docker.io/library/busybox:latest");
  EXPECT_EQ(s.scopes, (Strings{"docker.io/library/busybox:latest", "docker.io/library/busybox",
                               "docker.io/library", "docker.io", "*.io"}));
  std::string digest = "sha256:" + std::string(64, 'a');
  s = subject_of("docker://quay.io/a@" + digest);
  EXPECT_EQ(s.scopes.front(), "quay.io/a@" + digest);
  EXPECT_EQ(s.scopes[1], "quay.io/a");
  // The identity is the same whichever way the caller got there.
  EXPECT_EQ(docker_subject(Reference::parse_docker_ref("quay.io/a@" + digest)).scopes, s.scopes);
}

TEST(SourcePolicyScopes, PathTransportsUseTheAbsolutePathAndItsParentsButNotTheRoot) {
  for (const char* transport : {"oci", "oci-archive", "dir"}) {
    SCOPED_TRACE(transport);
    trust::Subject s = subject_of(std::string(transport) + ":/no/such/place/x");
    EXPECT_EQ(s.transport, transport);
    // What does not exist is kept as written, normalized.
    EXPECT_EQ(s.scopes, (Strings{"/no/such/place/x", "/no/such/place", "/no/such", "/no"}));
  }
  EXPECT_EQ(subject_of("oci:/no/such/../such/./x/").scopes.front(), "/no/such/x");
}

TEST(SourcePolicyScopes, RelativePathsAreMadeAbsoluteAndSymlinkFree) {
  TempDir dir(temp_root(), "schicht-relative-scopes");
  fs::create_directories(dir.path() / "real" / "layout");
  fs::create_directory_symlink(dir.path() / "real", dir.path() / "link");
  std::string base = fs::canonical(dir.path()).string();
  in_directory(dir.path(), [&] {
    trust::Subject s = subject_of("oci:link/layout:v1");
    EXPECT_EQ(s.scopes.front(), base + "/real/layout");
    // The name for messages keeps what the user typed.
    EXPECT_EQ(s.name, "oci:link/layout:v1");
    EXPECT_EQ(subject_of("oci-archive:link/missing.tar").scopes.front(),
              base + "/real/missing.tar");
  });
}

TEST(SourcePolicyScopes, ArchivesWithoutAPathIdentityHaveOnlyTheTransportScope) {
  EXPECT_EQ(subject_of("docker-archive:/a.tar:app:1").scopes, Strings{});
  EXPECT_EQ(subject_of("docker-archive:/a.tar:app:1").name, "docker-archive:/a.tar:app:1");
  EXPECT_EQ(subject_of("tarball:/root.tar").scopes, Strings{});
}

TEST(SourcePolicyScopes, TransportsThatCannotBeSourcesAreRefusedByName) {
  for (const char* text : {"docker-daemon:a:1", "containers-storage:busybox", "sif:/a.sif",
                           "ostree:a@/repo", "atomic:h/a:1"}) {
    std::string message = error_of(ErrorKind::kUnsupported, [&] { subject_of(text); });
    EXPECT_NE(message.find("cannot be a source of images"), std::string::npos) << message;
  }
}

TEST(SourcePolicyAdmit, TheMostSpecificScopeDecides) {
  trust::Policy policy = trust::parse_policy(
      R"({"default":[{"type":"reject"}],
          "transports":{
            "oci":{"/srv":[{"type":"insecureAcceptAnything"}],
                   "/srv/bad":[{"type":"reject"}],
                   "/srv/bad/ok":[{"type":"insecureAcceptAnything"}]},
            "docker":{"quay.io/ns":[{"type":"insecureAcceptAnything"}],
                      "quay.io/ns/bad":[{"type":"reject"}]}}})",
      "policy.json");
  admit_source(&policy, *parse_transport_name("oci:/srv/good:1"));
  admit_source(&policy, *parse_transport_name("oci:/srv/bad/ok/x"));
  std::string message = error_of(
      ErrorKind::kPolicy, [&] { admit_source(&policy, *parse_transport_name("oci:/srv/bad/x")); });
  EXPECT_NE(message.find("oci scope \"/srv/bad\""), std::string::npos) << message;
  // Outside every oci scope the global default applies.
  message = error_of(ErrorKind::kPolicy,
                     [&] { admit_source(&policy, *parse_transport_name("oci:/elsewhere")); });
  EXPECT_NE(message.find("global default"), std::string::npos) << message;

  admit_source(&policy, *parse_transport_name("docker://quay.io/ns/app:1"));
  message = error_of(ErrorKind::kPolicy, [&] {
    admit_source(&policy, *parse_transport_name("docker://quay.io/ns/bad:1"));
  });
  EXPECT_NE(message.find("docker scope \"quay.io/ns/bad\""), std::string::npos) << message;
}

TEST(SourcePolicyAdmit, ArchivesAreDecidedByTheTransportScopeThenTheDefault) {
  trust::Policy policy = trust::parse_policy(
      R"({"default":[{"type":"insecureAcceptAnything"}],
          "transports":{"docker-archive":{"":[{"type":"reject"}]}}})",
      "policy.json");
  std::string message = error_of(ErrorKind::kPolicy, [&] {
    admit_source(&policy, *parse_transport_name("docker-archive:/a.tar"));
  });
  EXPECT_NE(message.find("the docker-archive transport's default scope"), std::string::npos) << message;
  // Another transport is left to the default.
  admit_source(&policy, *parse_transport_name("tarball:/a.tar"));
  admit_source(&policy, *parse_transport_name("oci-archive:/a.tar"));
}

}  // namespace
}  // namespace schicht::transport
