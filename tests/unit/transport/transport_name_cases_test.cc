// parse_transport_name over every transport containers-transports(5) lists and the edges of
// the syntax: what is a transport, where a path ends, what str() prints back.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.h"
#include "error_of.h"
#include "transport/transport_name.h"

namespace schicht::transport {
namespace {

struct Case {
  std::string text;
  Transport transport;
  std::string name;
  std::string rest;
  std::string path;
  std::string ref;
  bool ref_given;
  bool local;
  std::string printed;
};

TEST(TransportNameCases, EveryTransport) {
  const std::vector<Case> cases = {
      {"docker://busybox", Transport::kDocker, "docker", "busybox", "", "", false, false,
       "docker://busybox"},
      {"docker://localhost:5000/a/b@sha256:00", Transport::kDocker, "docker",
       "localhost:5000/a/b@sha256:00", "", "", false, false,
       "docker://localhost:5000/a/b@sha256:00"},
      {"docker-archive:/t/a.tar", Transport::kDockerArchive, "docker-archive", "/t/a.tar",
       "/t/a.tar", "", false, true, "docker-archive:/t/a.tar"},
      {"docker-archive:/t/a.tar:app:1", Transport::kDockerArchive, "docker-archive",
       "/t/a.tar:app:1", "/t/a.tar", "app:1", true, true, "docker-archive:/t/a.tar:app:1"},
      {"docker-archive:a.tar:", Transport::kDockerArchive, "docker-archive", "a.tar:", "a.tar", "",
       true, true, "docker-archive:a.tar:"},
      {"docker-archive:a.tar:@0", Transport::kDockerArchive, "docker-archive", "a.tar:@0", "a.tar",
       "@0", true, true, "docker-archive:a.tar:@0"},
      {"oci:/l", Transport::kOci, "oci", "/l", "/l", "", false, true, "oci:/l:"},
      {"oci:/l:", Transport::kOci, "oci", "/l:", "/l", "", true, true, "oci:/l:"},
      {"oci:rel/dir:v1", Transport::kOci, "oci", "rel/dir:v1", "rel/dir", "v1", true, true,
       "oci:rel/dir:v1"},
      {"oci-archive:/a.tar:x:y", Transport::kOciArchive, "oci-archive", "/a.tar:x:y", "/a.tar",
       "x:y", true, true, "oci-archive:/a.tar:x:y"},
      {"dir:/d", Transport::kDir, "dir", "/d", "/d", "", false, true, "dir:/d"},
      {"dir:/d:with:colons", Transport::kDir, "dir", "/d:with:colons", "/d:with:colons", "", false,
       true, "dir:/d:with:colons"},
      {"containers-storage:[overlay@/var/lib/c]busybox", Transport::kContainersStorage,
       "containers-storage", "[overlay@/var/lib/c]busybox", "", "", false, false,
       "containers-storage:[overlay@/var/lib/c]busybox"},
      {"docker-daemon:busybox:latest", Transport::kDockerDaemon, "docker-daemon", "busybox:latest",
       "", "", false, false, "docker-daemon:busybox:latest"},
      {"tarball:/root.tar", Transport::kTarball, "tarball", "/root.tar", "", "", false, false,
       "tarball:/root.tar"},
      {"ostree:img@/ostree/repo", Transport::kOther, "ostree", "img@/ostree/repo", "", "", false,
       false, "ostree:img@/ostree/repo"},
      {"sif:/a.sif", Transport::kOther, "sif", "/a.sif", "", "", false, false, "sif:/a.sif"},
      {"atomic:host/ns/a:1", Transport::kOther, "atomic", "host/ns/a:1", "", "", false, false,
       "atomic:host/ns/a:1"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    auto ref = parse_transport_name(c.text);
    ASSERT_TRUE(ref);
    EXPECT_EQ(ref->transport, c.transport);
    EXPECT_EQ(ref->name, c.name);
    EXPECT_EQ(ref->rest, c.rest);
    EXPECT_EQ(ref->path, c.path);
    EXPECT_EQ(ref->ref, c.ref);
    EXPECT_EQ(ref->ref_given, c.ref_given);
    EXPECT_EQ(ref->is_local(), c.local);
    EXPECT_EQ(ref->str(), c.printed);
  }
}

TEST(TransportNameCases, NamesAreExactAndCaseSensitive) {
  // containers/image looks transport names up exactly: anything else is a docker reference
  // (which may then fail to parse as one, but not here).
  for (const char* text : {"OCI:/x", "Docker://busybox", "oci-Archive:/a.tar", "dirs:/x",
                           "oci_archive:/a.tar", " oci:/x", ":x", ":", "", "oci", "docker",
                           "docker:/busybox", "docker:", "localhost:5000", "[::1]:5000/a"}) {
    EXPECT_FALSE(parse_transport_name(text)) << '"' << text << '"';
  }
}

TEST(TransportNameCases, TheFirstColonEndsTheTransportName) {
  // "docker-archive" is not read as "docker" followed by something.
  auto ref = parse_transport_name("docker-archive:x.tar");
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->transport, Transport::kDockerArchive);
  // "docker" needs "//" after its colon; a longer name that starts like it is its own.
  EXPECT_FALSE(parse_transport_name("docker:x.tar"));
}

TEST(TransportNameCases, FileTransportsWithoutAPathFailNamingTheInput) {
  for (const char* text : {"oci:", "oci::v1", "oci-archive:", "oci-archive::x",
                           "dir:", "docker-archive:", "docker-archive::a:1"}) {
    std::string message = error_of(ErrorKind::kInvalidInput, [&] { parse_transport_name(text); });
    EXPECT_NE(message.find(text), std::string::npos) << message;
    EXPECT_NE(message.find("no path given"), std::string::npos) << message;
  }
}

TEST(TransportNameCases, NonFileTransportsKeepAnEmptyRest) {
  // Their own parsers say what an empty name means; this one only recognises the transport.
  for (const char* text : {"containers-storage:", "tarball:", "docker-daemon:", "sif:"}) {
    auto ref = parse_transport_name(text);
    ASSERT_TRUE(ref) << text;
    EXPECT_EQ(ref->rest, "") << text;
  }
  auto docker = parse_transport_name("docker://");
  ASSERT_TRUE(docker);
  EXPECT_EQ(docker->rest, "");
}

TEST(LocalTransportRef, FileTransportsAsLoadDetectsThem) {
  for (auto [name, kind] :
       std::vector<std::pair<std::string, Transport>>{{"oci-archive", Transport::kOciArchive},
                                                      {"docker-archive", Transport::kDockerArchive},
                                                      {"oci", Transport::kOci},
                                                      {"dir", Transport::kDir}}) {
    SCOPED_TRACE(name);
    TransportRef ref = local_transport_ref(name, "/in/a:b.tar");
    EXPECT_EQ(ref.transport, kind);
    EXPECT_EQ(ref.name, name);
    // The path is taken whole: a ':' in a file name is no reference here.
    EXPECT_EQ(ref.path, "/in/a:b.tar");
    EXPECT_FALSE(ref.ref_given);
    EXPECT_TRUE(ref.is_local());
  }
  EXPECT_EQ(local_transport_ref("oci-archive", "/a.tar").str(), "oci-archive:/a.tar:");
  EXPECT_EQ(local_transport_ref("docker-archive", "/a.tar").str(), "docker-archive:/a.tar");
}

TEST(LocalTransportRef, OtherTransportsAreAProgrammingError) {
  for (const char* name : {"docker", "tarball", "containers-storage", "nosuch", ""}) {
    error_of(ErrorKind::kInternal, [&] { local_transport_ref(name, "/a.tar"); });
  }
}

}  // namespace
}  // namespace schicht::transport
