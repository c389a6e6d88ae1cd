#include "registry/registries_conf.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace schicht::registry {
namespace {

using testing::error_of;
using testing::ScopedEnv;
using testing::write_text;

RegistriesConf parse(std::string_view text) {
  return RegistriesConf::parse(text, "test.conf");
}

std::string parse_error(std::string_view text) {
  return error_of(ErrorKind::kInvalidInput, [&] { parse(text); });
}

std::vector<std::string> endpoint_strings(const RegistriesConf& conf, std::string_view ref) {
  std::vector<std::string> out;
  for (const Endpoint& e : conf.pull_endpoints(Reference::parse(ref))) {
    out.push_back(e.reference.str() + (e.mirror ? " mirror" : "") +
                  (e.insecure ? " insecure" : "") + (e.blocked ? " blocked" : ""));
  }
  return out;
}

TEST(RegistriesConf, ParsesTheV2Format) {
  RegistriesConf conf = parse(R"(
unqualified-search-registries = ["registry.fedoraproject.org", "quay.io", "docker.io"]
short-name-mode = "enforcing"
credential-helpers = ["containers-auth.json", "secretservice"]

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

[aliases]
"fedora" = "registry.fedoraproject.org/fedora"
"alpine" = "docker.io/alpine"
)");
  EXPECT_EQ(conf.unqualified_search_registries(),
            (std::vector<std::string>{"registry.fedoraproject.org", "quay.io", "docker.io"}));
  EXPECT_EQ(conf.short_name_mode(), ShortNameMode::kEnforcing);
  EXPECT_EQ(conf.credential_helpers(),
            (std::vector<std::string>{"containers-auth.json", "secretservice"}));
  ASSERT_EQ(conf.registries().size(), 2u);
  const RegistryConfig& blocked = conf.registries()[0];  // sorted by prefix
  EXPECT_EQ(blocked.prefix, "blocked.io");
  EXPECT_TRUE(blocked.blocked);
  const RegistryConfig& example = conf.registries()[1];
  EXPECT_EQ(example.location, "internal.example.com/bar");
  EXPECT_TRUE(example.insecure);
  ASSERT_EQ(example.mirrors.size(), 1u);
  EXPECT_EQ(example.mirrors[0].use, MirrorUse::kDigestOnly);
  EXPECT_EQ(conf.alias("fedora")->str(), "registry.fedoraproject.org/fedora");
  EXPECT_EQ(conf.alias("alpine")->str(), "docker.io/library/alpine");
  EXPECT_FALSE(conf.alias("busybox"));
}

TEST(RegistriesConf, DefaultsForAnEmptyFile) {
  RegistriesConf conf = parse("");
  EXPECT_TRUE(conf.unqualified_search_registries().empty());
  EXPECT_EQ(conf.short_name_mode(), ShortNameMode::kPermissive);
  EXPECT_EQ(conf.credential_helpers(), (std::vector<std::string>{"containers-auth.json"}));
  EXPECT_TRUE(conf.registries().empty());
}

TEST(RegistriesConf, UnknownKeysAreErrorsNamingTheFile) {
  std::string message = parse_error("unqualified-search-registry = []");
  EXPECT_NE(message.find("test.conf"), std::string::npos) << message;
  EXPECT_NE(message.find("unknown key \"unqualified-search-registry\""), std::string::npos)
      << message;
  message = parse_error("[[registry]]\nlocation = \"a.io\"\nmirrors = []\n");
  EXPECT_NE(message.find("registry[0].mirrors"), std::string::npos) << message;
  message = parse_error("[[registry]]\nlocation = \"a.io\"\n[[registry.mirror]]\nurl = \"b\"\n");
  EXPECT_NE(message.find("registry[0].mirror[0].url"), std::string::npos) << message;
}

TEST(RegistriesConf, NonAsciiTextIsRefusedBeforeTheTomlParserSeesIt) {
  std::string message = parse_error("[[registry]]\nlocation = \"a.io\"\n\xc3\xa9 = 1\n");
  EXPECT_NE(message.find("non-ASCII text is not supported (line 3)"), std::string::npos) << message;
}

TEST(RegistriesConf, WrongTypesAndValuesAreErrors) {
  EXPECT_NE(parse_error("unqualified-search-registries = \"quay.io\"").find("array of strings"),
            std::string::npos);
  EXPECT_NE(
      parse_error("[[registry]]\nlocation = \"a.io\"\ninsecure = \"yes\"\n").find("true or false"),
      std::string::npos);
  EXPECT_NE(parse_error("short-name-mode = \"sometimes\"").find("invalid short-name mode"),
            std::string::npos);
  EXPECT_NE(parse_error("[[registry]]\nlocation = \"https://a.io\"\n").find("URI schemes"),
            std::string::npos);
  EXPECT_NE(parse_error("[[registry]]\ninsecure = true\n").find("both location and prefix"),
            std::string::npos);
  EXPECT_NE(parse_error("[[registry]]\nprefix = \"a.io\"\n").find("location is unset"),
            std::string::npos);
  EXPECT_NE(parse_error("[[registry]]\nprefix = \"*.a.io/x\"\n").find("Wildcarded prefix"),
            std::string::npos);
  EXPECT_NE(parse_error("[[registry]]\nlocation = \"a.io\"\n[[registry.mirror]]\n"
                        "location = \"m.io\"\npull-from-mirror = \"sometimes\"\n")
                .find("unsupported pull-from-mirror"),
            std::string::npos);
  EXPECT_NE(parse_error("[[registry]]\nlocation = \"a.io\"\nmirror-by-digest-only = true\n"
                        "[[registry.mirror]]\nlocation = \"m.io\"\npull-from-mirror = \"all\"\n")
                .find("at the same time"),
            std::string::npos);
  EXPECT_NE(parse_error("[[registry]]\nlocation = \"a.io\"\npull-from-mirror = \"all\"\n")
                .find("non-mirror"),
            std::string::npos);
  EXPECT_NE(parse_error("unqualified-search-registries = [\"quay.io/ns\"]")
                .find("invalid unqualified-search-registries entry"),
            std::string::npos);
  EXPECT_NE(parse_error("[[registry]]\nlocation = \"a.io\"\n[[registry]]\nprefix = \"a.io/x\"\n"
                        "location = \"a.io\"\ninsecure = true\n")
                .find("conflicting 'insecure'"),
            std::string::npos);
  EXPECT_NE(parse_error("[aliases]\n\"quay.io/x\" = \"quay.io/y\"\n").find("invalid short name"),
            std::string::npos);
  EXPECT_NE(parse_error("[aliases]\n\"x\" = \"y\"\n").find("invalid alias"), std::string::npos);
  EXPECT_NE(parse_error("[aliases]\n\"x\" = \"quay.io/y:1\"\n").find("invalid alias"),
            std::string::npos);
  EXPECT_NE(parse_error("this is = not toml").find("line 1"), std::string::npos);
}

TEST(RegistriesConf, ConvertsTheV1FormatAndRefusesMixing) {
  RegistriesConf conf = parse(R"(
[registries.search]
registries = ["quay.io"]
[registries.insecure]
registries = ["insecure.io"]
[registries.block]
registries = ["blocked.io"]
)");
  EXPECT_EQ(conf.unqualified_search_registries(), (std::vector<std::string>{"quay.io"}));
  ASSERT_EQ(conf.registries().size(), 2u);
  EXPECT_TRUE(conf.registries()[0].blocked);
  EXPECT_TRUE(conf.registries()[1].insecure);
  EXPECT_NE(parse_error("unqualified-search-registries = [\"a.io\"]\n[registries.search]\n"
                        "registries = [\"a.io\"]\n")
                .find("mixing"),
            std::string::npos);
  std::string message = error_of(ErrorKind::kInvalidInput, [] {
    RegistriesConf::parse("[registries.search]\nregistries = []\n", "drop.conf", true);
  });
  EXPECT_NE(message.find("v2 format"), std::string::npos) << message;
}

TEST(RegistriesConf, DuplicatePrefixesKeepTheFirstTable) {
  RegistriesConf conf = parse(
      "[[registry]]\nlocation = \"a.io\"\n[[registry.mirror]]\nlocation = \"m1.io\"\n"
      "[[registry]]\nlocation = \"a.io\"\n[[registry.mirror]]\nlocation = \"m2.io\"\n");
  ASSERT_EQ(conf.registries().size(), 1u);
  EXPECT_EQ(conf.registries()[0].mirrors[0].location, "m1.io");
}

TEST(RegistriesConf, FindsTheLongestMatchingPrefix) {
  RegistriesConf conf = parse(R"(
[[registry]]
location = "example.com"
[[registry]]
location = "example.com/foo"
[[registry]]
prefix = "*.wild.io"
location = ""
insecure = true
)");
  EXPECT_EQ(conf.find("example.com/foo/bar:1")->prefix, "example.com/foo");
  EXPECT_EQ(conf.find("example.com/foobar")->prefix, "example.com");
  EXPECT_EQ(conf.find("example.com")->prefix, "example.com");
  EXPECT_EQ(conf.find("example.com@sha256:00")->prefix, "example.com");
  EXPECT_EQ(conf.find("example.company/x"), nullptr);
  EXPECT_EQ(conf.find("a.b.wild.io/x")->prefix, "*.wild.io");
  EXPECT_EQ(conf.find("wild.io/x"), nullptr);
  EXPECT_EQ(conf.find("other.io/a.wild.io"), nullptr);
}

TEST(RegistriesConf, PullEndpointsAreMirrorsThenTheRewrittenPrimary) {
  RegistriesConf conf = parse(R"(
[[registry]]
prefix = "example.com/foo"
location = "internal.example.com/bar"
  [[registry.mirror]]
  location = "mirror-a.local/foo"
  insecure = true
  [[registry.mirror]]
  location = "mirror-b.local"
  pull-from-mirror = "tag-only"
  [[registry.mirror]]
  location = "mirror-c.local"
  pull-from-mirror = "digest-only"
[[registry]]
location = "mirror-b.local"
blocked = true
)");
  EXPECT_EQ(endpoint_strings(conf, "example.com/foo/img:1"),
            (std::vector<std::string>{"mirror-a.local/foo/img:1 mirror insecure",
                                      "mirror-b.local/img:1 mirror blocked",
                                      "internal.example.com/bar/img:1"}));
  std::string digest = "sha256:" + std::string(64, 'a');
  EXPECT_EQ(endpoint_strings(conf, "example.com/foo/img@" + digest),
            (std::vector<std::string>{"mirror-a.local/foo/img@" + digest + " mirror insecure",
                                      "mirror-c.local/img@" + digest + " mirror",
                                      "internal.example.com/bar/img@" + digest}));
  EXPECT_EQ(endpoint_strings(conf, "quay.io/x:1"), (std::vector<std::string>{"quay.io/x:1"}));
}

TEST(RegistriesConf, MirrorByDigestOnlyAndBlockedPrimary) {
  RegistriesConf conf = parse(R"(
[[registry]]
location = "docker.io"
mirror-by-digest-only = true
blocked = true
  [[registry.mirror]]
  location = "mirror.local"
)");
  EXPECT_EQ(endpoint_strings(conf, "docker.io/library/alpine:3"),
            (std::vector<std::string>{"docker.io/library/alpine:3 blocked"}));
  std::string digest = "sha256:" + std::string(64, 'b');
  EXPECT_EQ(endpoint_strings(conf, "alpine@" + digest),
            (std::vector<std::string>{"mirror.local/library/alpine@" + digest + " mirror",
                                      "docker.io/library/alpine@" + digest + " blocked"}));
  EXPECT_TRUE(conf.endpoint(Reference::parse("docker.io/x/y:1")).blocked);
}

TEST(RegistriesConf, WildcardTablesSetFlagsWithoutRewriting) {
  RegistriesConf conf = parse("[[registry]]\nprefix = \"*.corp.io\"\ninsecure = true\n");
  EXPECT_EQ(endpoint_strings(conf, "reg.corp.io/app:1"),
            (std::vector<std::string>{"reg.corp.io/app:1 insecure"}));
}

TEST(RegistriesConf, DropInsOverrideAndMerge) {
  RegistriesConf conf = parse(R"(
unqualified-search-registries = ["quay.io"]
short-name-mode = "enforcing"
[[registry]]
location = "a.io"
[[registry]]
location = "b.io"
[aliases]
"one" = "quay.io/one"
"two" = "quay.io/two"
)");
  conf.merge(RegistriesConf::parse(R"(
[[registry]]
location = "a.io"
insecure = true
[[registry]]
location = "c.io"
[aliases]
"one" = ""
"three" = "quay.io/three"
)",
                                   "drop.conf", true));
  EXPECT_EQ(conf.unqualified_search_registries(), (std::vector<std::string>{"quay.io"}));
  EXPECT_EQ(conf.short_name_mode(), ShortNameMode::kEnforcing);
  ASSERT_EQ(conf.registries().size(), 3u);
  EXPECT_TRUE(conf.find("a.io/x")->insecure);
  EXPECT_FALSE(conf.alias("one"));
  EXPECT_TRUE(conf.alias("two"));
  EXPECT_TRUE(conf.alias("three"));
  conf.merge(RegistriesConf::parse("unqualified-search-registries = []", "empty.conf", true));
  EXPECT_TRUE(conf.unqualified_search_registries().empty());
}

class RegistriesConfFilesTest : public ::testing::Test {
 protected:
  RegistriesConfFilesTest()
      : dir_(temp_root(), "schicht-regconf-test"),
        home_("HOME", dir_.path().string()),
        chosen_("CONTAINERS_REGISTRIES_CONF", std::nullopt),
        legacy_("REGISTRIES_CONFIG_PATH", std::nullopt) {}

  TempDir dir_;
  ScopedEnv home_, chosen_, legacy_;
};

TEST_F(RegistriesConfFilesTest, LookupOrder) {
  RegistriesConfSources system = registries_conf_sources();
  EXPECT_EQ(system.file, "/etc/containers/registries.conf");
  EXPECT_FALSE(system.file_required);
  EXPECT_EQ(system.drop_in_dirs,
            (std::vector<fs::path>{"/etc/containers/registries.conf.d",
                                   dir_.path() / ".config/containers/registries.conf.d"}));

  write_text(dir_.path() / ".config/containers/registries.conf", "");
  RegistriesConfSources user = registries_conf_sources();
  EXPECT_EQ(user.file, dir_.path() / ".config/containers/registries.conf");
  EXPECT_EQ(user.drop_in_dirs,
            (std::vector<fs::path>{dir_.path() / ".config/containers/registries.conf.d"}));

  ScopedEnv legacy("REGISTRIES_CONFIG_PATH", "/legacy.conf");
  EXPECT_EQ(registries_conf_sources().file, "/legacy.conf");
  ScopedEnv chosen("CONTAINERS_REGISTRIES_CONF", "/chosen.conf");
  RegistriesConfSources explicit_file = registries_conf_sources();
  EXPECT_EQ(explicit_file.file, "/chosen.conf");
  EXPECT_TRUE(explicit_file.file_required);
}

TEST_F(RegistriesConfFilesTest, LoadsTheFileThenDropInsInNameOrder) {
  fs::path main = dir_.path() / "registries.conf";
  fs::path drop_ins = dir_.path() / "d";
  write_text(main, "unqualified-search-registries = [\"main.io\"]\n");
  write_text(drop_ins / "20-b.conf", "unqualified-search-registries = [\"b.io\"]\n");
  write_text(drop_ins / "10-a.conf", "unqualified-search-registries = [\"a.io\"]\n");
  write_text(drop_ins / "30-c.ignored", "not = [toml");
  RegistriesConf conf = RegistriesConf::load({main, true, {drop_ins, dir_.path() / "none"}});
  EXPECT_EQ(conf.unqualified_search_registries(), (std::vector<std::string>{"b.io"}));

  write_text(drop_ins / "40-bad.conf", "bogus = 1\n");
  std::string message = error_of(ErrorKind::kInvalidInput, [&] {
    RegistriesConf::load({main, true, {drop_ins}});
  });
  EXPECT_NE(message.find("40-bad.conf"), std::string::npos) << message;
}

TEST_F(RegistriesConfFilesTest, MissingFileIsEmptyUnlessNamedExplicitly) {
  fs::path missing = dir_.path() / "missing.conf";
  EXPECT_TRUE(RegistriesConf::load({missing, false, {}}).registries().empty());
  error_of(ErrorKind::kNotFound, [&] { RegistriesConf::load({missing, true, {}}); });
}

}  // namespace
}  // namespace schicht::registry
