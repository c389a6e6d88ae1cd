// registries.conf as `info` shows it: podman's map of registries by prefix, and "search".
#include "registry/registries_info.h"

#include <gtest/gtest.h>

namespace schicht::registry {
namespace {

TEST(RegistriesInfo, EachRegistryByPrefixThenSearch) {
  RegistriesConf conf = RegistriesConf::parse(R"(
unqualified-search-registries = ["quay.io", "docker.io"]

[[registry]]
prefix = "example.com/foo"
location = "internal.example.com/bar"
insecure = true

  [[registry.mirror]]
  location = "mirror-0.local/foo"
  pull-from-mirror = "digest-only"

[[registry]]
location = "blocked.io"
blocked = true
)",
                                              "test.conf");
  EXPECT_EQ(
      registries_info(conf).dump(),
      R"({"blocked.io":{"Prefix":"blocked.io","Location":"blocked.io","Insecure":false,)"
      R"("PullFromMirror":"","Mirrors":null,"Blocked":true,"MirrorByDigestOnly":false},)"
      R"("example.com/foo":{"Prefix":"example.com/foo","Location":"internal.example.com/bar",)"
      R"("Insecure":true,"PullFromMirror":"","Mirrors":[{"Location":"mirror-0.local/foo",)"
      R"("Insecure":false,"PullFromMirror":"digest-only"}],"Blocked":false,)"
      R"("MirrorByDigestOnly":false},"search":["quay.io","docker.io"]})");
}

TEST(RegistriesInfo, NoSearchRegistriesNoSearchKey) {
  RegistriesConf conf = RegistriesConf::parse("", "empty.conf");
  EXPECT_EQ(registries_info(conf).dump(), "{}");
}

}  // namespace
}  // namespace schicht::registry
