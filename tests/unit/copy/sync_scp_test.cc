// The parsers of image sync and image scp: skopeo's YAML file, scp's locations, shell quoting
// and the ssh command line.
#include <gtest/gtest.h>

#include <string>

#include "copy/scp.h"
#include "copy/sync_yaml.h"
#include "core/error.h"
#include "core/fs.h"
#include "scoped_env.h"

namespace schicht::copy {
namespace {

ErrorKind kind_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.kind();
  }
  return ErrorKind::kInternal;
}

TEST(SyncYamlTest, ReadsEveryField) {
  auto registries = parse_sync_yaml(R"(
reg.example:5000:
  images:
    busybox: []
    redis: ["1.0", "sha256:0000000000000000000000000000000000000000000000000000000000000000"]
  images-by-tag-regex:
    nginx: ^1\.13$
  tls-verify: false
  credentials: {username: john, password: "p:w"}
  cert-dir: /certs
quay.io:
)",
                                    "f.yaml");
  ASSERT_EQ(registries.size(), 2u);
  const SyncYamlRegistry& first = registries[0];
  EXPECT_EQ(first.name, "reg.example:5000");
  EXPECT_TRUE(first.images.at("busybox").empty());
  EXPECT_EQ(first.images.at("redis").size(), 2u);
  EXPECT_EQ(first.images_by_tag_regex.at("nginx"), "^1\\.13$");
  EXPECT_EQ(first.tls_verify, false);
  ASSERT_TRUE(first.credentials);
  EXPECT_EQ(first.credentials->password, "p:w");
  EXPECT_EQ(first.cert_dir, "/certs");
  EXPECT_EQ(registries[1].name, "quay.io");
  EXPECT_TRUE(parse_sync_yaml("", "f").empty());
}

TEST(SyncYamlTest, RefusesWhatIsNotSuchAFile) {
  for (const char* text : {"[a, b]", "reg: [1]", "reg:\n  images: [a]\n", "reg:\n  imagez: {}\n",
                           "reg:\n  tls-verify: maybe\n", "reg:\n  images:\n    a: {b: c}\n",
                           "reg:\n  images-by-tag-regex:\n    a: '(['\n", "a/b:\n  images: {}\n",
                           "reg:\n  credentials: {user: x}\n", "reg: {images: [unclosed\n"}) {
    EXPECT_EQ(kind_of([&] { parse_sync_yaml(text, "f"); }), ErrorKind::kInvalidInput) << text;
  }
  EXPECT_EQ(kind_of([&] { parse_sync_yaml(std::string(kSyncYamlLimit + 1, ' '), "f"); }),
            ErrorKind::kInvalidInput);
}

TEST(SyncYamlTest, AliasesCannotMultiplyEntriesPastTheLimit) {
  // Each repository names the same long list: the count of tags is bounded, not the text.
  std::string text = "reg:\n  images:\n    r0: &tags [";
  for (int i = 0; i < 1000; ++i) text += "t" + std::to_string(i) + ",";
  text += "x]\n";
  for (int i = 1; i < 200; ++i) text += "    r" + std::to_string(i) + ": *tags\n";
  EXPECT_EQ(kind_of([&] { parse_sync_yaml(text, "f"); }), ErrorKind::kInvalidInput);
}

TEST(SyncYamlTest, TagRegexMatchesAnywhereUnlessAnchored) {
  EXPECT_TRUE(tag_matches("1\\.2", "v1.2-alpine"));
  EXPECT_FALSE(tag_matches("^1\\.2$", "v1.2-alpine"));
  EXPECT_EQ(kind_of([] { tag_matches("(", "x"); }), ErrorKind::kInvalidInput);
}

TEST(ScpLocationTest, LocalAndRemoteSides) {
  ScpLocation local = parse_scp_location("alpine:latest");
  EXPECT_FALSE(local.remote);
  EXPECT_EQ(local.image, "alpine:latest");
  ScpLocation remote = parse_scp_location("me@build:2222::localhost/app:1");
  EXPECT_TRUE(remote.remote);
  EXPECT_EQ(remote.user, "me");
  EXPECT_EQ(remote.host, "build");
  EXPECT_EQ(remote.port, "2222");
  EXPECT_EQ(remote.image, "localhost/app:1");
  ScpLocation bare = parse_scp_location("build::");
  EXPECT_EQ(bare.host, "build");
  EXPECT_TRUE(bare.port.empty());
  EXPECT_TRUE(bare.image.empty());
  ScpLocation v6 = parse_scp_location("[fe80::1]:22::x");
  EXPECT_EQ(v6.host, "fe80::1");
  EXPECT_EQ(v6.port, "22");
}

TEST(ScpLocationTest, RefusesWhatSshCouldReadAsAnOption) {
  for (const char* text :
       {"::x", "-oProxyCommand=sh::", "-l@host::", "host:22x::", "ho st::", ""}) {
    EXPECT_EQ(kind_of([&] { parse_scp_location(text); }), ErrorKind::kInvalidInput) << text;
  }
}

TEST(ScpTest, QuotesForAShellAndEndsSshOptions) {
  EXPECT_EQ(shell_quote("a b'c"), "'a b'\\''c'");
  ScpLocation at = parse_scp_location("me@h:2::");
  std::vector<std::string> argv = ssh_argv(at, "schicht load", "ssh  -F cfg");
  std::vector<std::string> want = {"ssh", "-F", "cfg", "-p", "2",
                                   "-l",  "me", "--",  "h",  "schicht load"};
  EXPECT_EQ(argv, want);
}

TEST(ScpTest, AConnectionGivesUserHostPortAndKey) {
  ScpLocation at = parse_scp_location("loop::app");
  apply_connection(at, "ssh://me@10.0.0.1:2222/run/podman/podman.sock", "/k");
  EXPECT_EQ(at.user, "me");
  EXPECT_EQ(at.host, "10.0.0.1");
  EXPECT_EQ(at.port, "2222");
  EXPECT_EQ(at.image, "app");
  std::vector<std::string> argv = ssh_argv(at, "c", "");
  std::vector<std::string> want = {"ssh", "-p", "2222", "-l",       "me",
                                   "-i",  "/k", "--",   "10.0.0.1", "c"};
  EXPECT_EQ(argv, want);
  EXPECT_EQ(kind_of([&] { apply_connection(at, "tcp://h:1", ""); }), ErrorKind::kInvalidInput);
}

TEST(ScpTest, SidesTakeConnectionsAndNeedOneRemote) {
  fs::path conf = fs::temp_directory_path() / ("scp_sides_" + std::to_string(::getpid()) + ".conf");
  write_file_atomic(conf,
                    "[engine.service_destinations.loop]\n"
                    "uri = \"ssh://me@127.0.0.1:2222/run/podman/podman.sock\"\n"
                    "identity = \"/k\"\n");
  test_env::ScopedEnv env("CONTAINERS_CONF", conf.string());
  ScpSides sides = scp_sides("loop::app", std::nullopt);
  EXPECT_EQ(sides.from.host, "127.0.0.1");
  EXPECT_EQ(sides.from.identity, "/k");
  EXPECT_FALSE(sides.to);
  sides = scp_sides("app", "other@loop::");  // a user given: a plain host, no connection
  EXPECT_EQ(sides.to->host, "loop");
  auto message = [](const std::string& from, std::optional<std::string> to) {
    try {
      scp_sides(from, to);
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kInvalidInput);
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(message("loop::", std::nullopt), "image scp: \"loop::\": no image named after \"::\"");
  EXPECT_EQ(message("app", "other"),
            "image scp: one side must be a remote HOST:: (a copy within this store is `tag`)");
  fs::remove(conf);
}

}  // namespace
}  // namespace schicht::copy
