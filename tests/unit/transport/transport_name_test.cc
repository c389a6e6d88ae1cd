// The one parser of transport names, and the policy identity and scopes each source gets.
#include "transport/transport_name.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/fs.h"
#include "core/io.h"
#include "error_of.h"
#include "store/store.h"
#include "transport/import.h"
#include "transport/source_policy.h"

namespace schicht::transport {
namespace {

using Strings = std::vector<std::string>;

// A source that must be refused before a byte of it is read.
class NeverRead final : public Reader {
 public:
  size_t read(void*, size_t) override {
    ADD_FAILURE() << "the source was read before the policy refused it";
    return 0;
  }
};

TEST(TransportName, FileTransportsSplitPathAndRefAtTheFirstColon) {
  auto ref = parse_transport_name("oci:/srv/layout:app:1");
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->transport, Transport::kOci);
  EXPECT_EQ(ref->path, "/srv/layout");
  EXPECT_EQ(ref->ref, "app:1");
  EXPECT_TRUE(ref->ref_given);
  EXPECT_TRUE(ref->is_local());
  EXPECT_EQ(ref->str(), "oci:/srv/layout:app:1");

  ref = parse_transport_name("oci-archive:a.tar");
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->transport, Transport::kOciArchive);
  EXPECT_EQ(ref->path, "a.tar");
  EXPECT_FALSE(ref->ref_given);
  // containers/image prints an OCI source with its empty ref.
  EXPECT_EQ(ref->str(), "oci-archive:a.tar:");

  ref = parse_transport_name("docker-archive:/x/d.tar");
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->transport, Transport::kDockerArchive);
  EXPECT_EQ(ref->str(), "docker-archive:/x/d.tar");
  ref = parse_transport_name("docker-archive:/x/d.tar:app:2");
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->ref, "app:2");
  EXPECT_EQ(ref->str(), "docker-archive:/x/d.tar:app:2");

  // dir: has no REF: all of it is the path.
  ref = parse_transport_name("dir:/x/d:1");
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->transport, Transport::kDir);
  EXPECT_EQ(ref->path, "/x/d:1");
  EXPECT_FALSE(ref->ref_given);
  EXPECT_EQ(ref->str(), "dir:/x/d:1");
}

TEST(TransportName, DockerNeedsTwoSlashes) {
  auto ref = parse_transport_name("docker://quay.io/a/b:1");
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->transport, Transport::kDocker);
  EXPECT_EQ(ref->rest, "quay.io/a/b:1");
  EXPECT_FALSE(ref->is_local());
  // "docker:tag" is the image docker.io/library/docker with a tag, not a transport.
  EXPECT_FALSE(parse_transport_name("docker:busybox"));
}

TEST(TransportName, PlainReferencesNameNoTransport) {
  for (const char* text : {"busybox", "busybox:1", "localhost:5000/a:1", "quay.io/a/b", "ocio:x",
                           "directory:1", "a@sha256:00"}) {
    EXPECT_FALSE(parse_transport_name(text)) << text;
  }
}

TEST(TransportName, OtherTransportsAreRecognisedNotLocal) {
  for (auto [text, kind] : std::vector<std::pair<std::string, Transport>>{
           {"containers-storage:busybox", Transport::kContainersStorage},
           {"docker-daemon:busybox:latest", Transport::kDockerDaemon},
           {"tarball:/a.tar", Transport::kTarball},
           {"sif:/a.sif", Transport::kOther},
           {"ostree:x", Transport::kOther}}) {
    auto ref = parse_transport_name(text);
    ASSERT_TRUE(ref) << text;
    EXPECT_EQ(ref->transport, kind) << text;
    EXPECT_FALSE(ref->is_local()) << text;
    EXPECT_EQ(ref->str(), text);
  }
}

TEST(TransportName, AFileTransportNeedsAPath) {
  for (const char* text : {"oci:", "oci-archive::x", "dir:", "docker-archive:"}) {
    error_of(ErrorKind::kInvalidInput, [&] { parse_transport_name(text); });
  }
}

TEST(SourcePolicy, ScopesPerTransport) {
  TempDir dir(temp_root(), "schicht-scopes");
  fs::path real = dir.path() / "real";
  fs::create_directories(real);
  fs::create_directory_symlink(real, dir.path() / "link");
  std::string base = fs::canonical(dir.path()).string();

  // Paths are made absolute and symlink-free, then each parent follows.
  trust::Subject s = policy_subject(*parse_transport_name("oci:" + (dir.path() / "link").string()));
  EXPECT_EQ(s.transport, "oci");
  ASSERT_FALSE(s.scopes.empty());
  EXPECT_EQ(s.scopes[0], base + "/real");
  EXPECT_EQ(s.scopes[1], base);
  s = policy_subject(*parse_transport_name("oci-archive:" + (real / "a.tar:x").string()));
  EXPECT_EQ(s.scopes[0], base + "/real/a.tar");
  EXPECT_EQ(s.name, "oci-archive:" + (real / "a.tar").string() + ":x");
  s = policy_subject(*parse_transport_name("dir:" + real.string()));
  EXPECT_EQ(s.scopes[0], base + "/real");

  // docker-archive and tarball have only the transport's "" scope.
  EXPECT_EQ(policy_subject(*parse_transport_name("docker-archive:/a.tar")).scopes, Strings{});
  EXPECT_EQ(policy_subject(*parse_transport_name("tarball:/a.tar")).scopes, Strings{});

  s = policy_subject(*parse_transport_name("docker://busybox"));
  EXPECT_EQ(s.name, "docker://docker.io/library/busybox:latest");
  EXPECT_EQ(s.scopes[0], "docker.io/library/busybox:latest");

  error_of(ErrorKind::kUnsupported,
           [] { policy_subject(*parse_transport_name("docker-daemon:a:1")); });
}

TEST(SourcePolicy, ARejectedPathIsRefusedAnotherAccepted) {
  trust::Policy policy = trust::parse_policy(
      R"({"default":[{"type":"insecureAcceptAnything"}],
          "transports":{"oci":{"/srv/bad":[{"type":"reject"}]}}})",
      "p.json");
  std::string message = error_of(ErrorKind::kPolicy, [&] {
    admit_source(&policy, *parse_transport_name("oci:/srv/bad/x:1"));
  });
  EXPECT_NE(message.find("Running image oci:/srv/bad/x:1 is rejected by policy."),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("oci scope \"/srv/bad\""), std::string::npos) << message;
  admit_source(&policy, *parse_transport_name("oci:/srv/good/x"));
  // --insecure-policy: no policy, nothing checked.
  admit_source(nullptr, *parse_transport_name("oci:/srv/bad/x"));
}

// Every entry into the store from a file evaluates the policy itself: a caller cannot forget.
TEST(SourcePolicy, ImportRefusesBeforeStoringAnything) {
  trust::Policy reject = trust::parse_policy(R"({"default":[{"type":"reject"}]})", "p.json");
  TempDir dir(temp_root(), "schicht-source-policy");
  store::Store store(dir.path() / "root");

  // pull and load of archives: tests/unit/copy/store_input_test.cc (the engine checks them).
  NeverRead tarball;
  std::string message = error_of(ErrorKind::kPolicy,
                                 [&] { import_tarball(store, tarball, "root.tar", {}, &reject); });
  EXPECT_NE(message.find("Running image tarball:root.tar is rejected by policy."),
            std::string::npos)
      << message;
  EXPECT_TRUE(store.images().empty());
}

}  // namespace
}  // namespace schicht::transport
