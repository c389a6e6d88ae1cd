#include "registry/auth_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_support.h"

namespace schicht::registry {
namespace {

using testing::error_of;
using testing::ScopedEnv;
using testing::write_text;

std::string auth_of(std::string_view user_and_password) {
  return base64_encode(user_and_password);
}

// A fake home with every auth-file variable pointing into it.
class AuthFileTest : public ::testing::Test {
 protected:
  AuthFileTest()
      : dir_(temp_root(), "schicht-auth-test"),
        home_("HOME", (dir_.path() / "home").string()),
        runtime_("XDG_RUNTIME_DIR", (dir_.path() / "run").string()),
        config_("XDG_CONFIG_HOME", std::nullopt),
        docker_("DOCKER_CONFIG", std::nullopt),
        explicit_("REGISTRY_AUTH_FILE", std::nullopt) {
    make_dirs(dir_.path() / "run");
    make_dirs(dir_.path() / "home");
  }

  fs::path runtime_file() const { return dir_.path() / "run/containers/auth.json"; }
  fs::path config_file() const { return dir_.path() / "home/.config/containers/auth.json"; }
  fs::path docker_file() const { return dir_.path() / "home/.docker/config.json"; }
  fs::path legacy_file() const { return dir_.path() / "home/.dockercfg"; }

  static void write_auths(const fs::path& file, const nlohmann::json& auths) {
    write_text(file, nlohmann::json{{"auths", auths}}.dump());
  }

  TempDir dir_;
  ScopedEnv home_, runtime_, config_, docker_, explicit_;
};

TEST_F(AuthFileTest, ReadOrderFollowsPodman) {
  std::vector<AuthFile> files = auth_file_read_order();
  ASSERT_EQ(files.size(), 4u);
  EXPECT_EQ(files[0].path, runtime_file());
  EXPECT_EQ(files[1].path, config_file());
  EXPECT_EQ(files[2].path, docker_file());
  EXPECT_EQ(files[3].path, legacy_file());
  EXPECT_TRUE(files[3].legacy);
  EXPECT_EQ(auth_file_write_path(), runtime_file());
}

TEST_F(AuthFileTest, ReadOrderHonoursXdgConfigHomeAndDockerConfig) {
  ScopedEnv config("XDG_CONFIG_HOME", (dir_.path() / "xdg").string());
  ScopedEnv docker("DOCKER_CONFIG", (dir_.path() / "dockercfg").string());
  std::vector<AuthFile> files = auth_file_read_order();
  ASSERT_EQ(files.size(), 4u);
  EXPECT_EQ(files[1].path, dir_.path() / "xdg/containers/auth.json");
  EXPECT_EQ(files[2].path, dir_.path() / "dockercfg/config.json");
}

TEST_F(AuthFileTest, MissingRuntimeDirIsSkippedForReadingAndRefusedForWriting) {
  ScopedEnv runtime("XDG_RUNTIME_DIR", (dir_.path() / "gone").string());
  std::vector<AuthFile> files = auth_file_read_order();
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0].path, config_file());
  std::string message = error_of(ErrorKind::kIo, [] { auth_file_write_path(); });
  EXPECT_NE(message.find("XDG_RUNTIME_DIR does not exist"), std::string::npos);
}

TEST_F(AuthFileTest, UnsetRuntimeDirMeansRunContainersUid) {
  ScopedEnv runtime("XDG_RUNTIME_DIR", std::nullopt);
  fs::path expected = fs::path("/run/containers") / std::to_string(::getuid()) / "auth.json";
  EXPECT_EQ(auth_file_read_order()[0].path, expected);
  EXPECT_EQ(auth_file_write_path(), expected);
}

TEST_F(AuthFileTest, ExplicitFileIsTheOnlyOne) {
  write_auths(runtime_file(), {{"quay.io", {{"auth", auth_of("a:b")}}}});
  fs::path chosen = dir_.path() / "chosen.json";
  EXPECT_EQ(auth_file_read_order(chosen).size(), 1u);
  EXPECT_FALSE(find_credentials("quay.io/x/y", chosen));
  ScopedEnv env("REGISTRY_AUTH_FILE", chosen.string());
  EXPECT_FALSE(find_credentials("quay.io/x/y"));
  EXPECT_EQ(auth_file_write_path(), chosen);
  write_auths(chosen, {{"quay.io", {{"auth", auth_of("c:d")}}}});
  EXPECT_EQ(find_credentials("quay.io/x/y"), (Credentials{"c", "d"}));
}

TEST_F(AuthFileTest, FirstFileWithAnEntryWins) {
  write_auths(config_file(), {{"quay.io", {{"auth", auth_of("config:1")}}}});
  write_auths(docker_file(), {{"quay.io", {{"auth", auth_of("docker:2")}}},
                              {"ghcr.io", {{"auth", auth_of("docker:3")}}}});
  EXPECT_EQ(find_credentials("quay.io/a/b"), (Credentials{"config", "1"}));
  EXPECT_EQ(find_credentials("ghcr.io/a/b"), (Credentials{"docker", "3"}));
  EXPECT_FALSE(find_credentials("example.com/a"));
  write_auths(runtime_file(), {{"quay.io", {{"auth", auth_of("runtime:0")}}}});
  EXPECT_EQ(find_credentials("quay.io/a/b"), (Credentials{"runtime", "0"}));
}

TEST_F(AuthFileTest, MostSpecificKeyWins) {
  write_auths(runtime_file(), {{"quay.io", {{"auth", auth_of("host:0")}}},
                               {"quay.io/team", {{"auth", auth_of("team:1")}}},
                               {"quay.io/team/app", {{"auth", auth_of("app:2")}}}});
  EXPECT_EQ(find_credentials("quay.io/team/app"), (Credentials{"app", "2"}));
  EXPECT_EQ(find_credentials("quay.io/team/other"), (Credentials{"team", "1"}));
  EXPECT_EQ(find_credentials("quay.io/else/app"), (Credentials{"host", "0"}));
  EXPECT_EQ(find_credentials("quay.io/team/app/sub"), (Credentials{"app", "2"}));
  EXPECT_FALSE(find_credentials("quay.io:5000/team/app"));
}

TEST_F(AuthFileTest, UrlKeysAndDockerHubNamesMatchByHost) {
  write_auths(docker_file(), {{"https://index.docker.io/v1/", {{"auth", auth_of("hub:1")}}},
                              {"http://localhost:5000/v2/", {{"auth", auth_of("local:2")}}}});
  EXPECT_EQ(find_credentials("docker.io/library/alpine"), (Credentials{"hub", "1"}));
  EXPECT_EQ(find_credentials("localhost:5000/app"), (Credentials{"local", "2"}));
}

TEST_F(AuthFileTest, LegacyDockercfgMatchesByHost) {
  write_text(legacy_file(),
             nlohmann::json{{"https://quay.io/v1/", {{"auth", auth_of("old:9")}}}}.dump());
  EXPECT_EQ(find_credentials("quay.io/a/b"), (Credentials{"old", "9"}));
}

TEST_F(AuthFileTest, EmptyEntriesAreLeftToLaterFiles) {
  write_auths(runtime_file(), {{"quay.io", nlohmann::json::object()}});
  write_auths(config_file(), {{"quay.io", {{"auth", auth_of("later:1")}}}});
  EXPECT_EQ(find_credentials("quay.io/a"), (Credentials{"later", "1"}));
}

TEST_F(AuthFileTest, SplitsAtTheFirstColonTrimsNulsAndKeepsIdentityTokens) {
  write_auths(runtime_file(),
              {{"a.io", {{"auth", auth_of("user:pa:ss")}}},
               {"b.io", {{"auth", auth_of(std::string("user:pw\0\0", 9))}}},
               {"c.io", {{"auth", auth_of("<token>:")}, {"identitytoken", "refresh"}}}});
  EXPECT_EQ(find_credentials("a.io/x"), (Credentials{"user", "pa:ss"}));
  EXPECT_EQ(find_credentials("b.io/x"), (Credentials{"user", "pw"}));
  EXPECT_EQ(find_credentials("c.io/x"), (Credentials{"<token>", "", "refresh"}));
}

TEST_F(AuthFileTest, MalformedFilesNameTheFile) {
  write_text(runtime_file(), "{not json");
  std::string message = error_of(ErrorKind::kInvalidInput, [] { find_credentials("a.io/x"); });
  EXPECT_NE(message.find(runtime_file().string()), std::string::npos) << message;
  write_auths(runtime_file(), {{"a.io", {{"auth", "bm90IGEgcGFpcg=="}}}});  // "not a pair"
  message = error_of(ErrorKind::kInvalidInput, [] { find_credentials("a.io/x"); });
  EXPECT_NE(message.find("user:password"), std::string::npos) << message;
}

TEST_F(AuthFileTest, StoresWithMode0600AndKeepsOtherContent) {
  fs::path file = auth_file_write_path();
  write_text(file,
             R"({"auths":{"other.io":{"auth":"b3RoZXI6MQ=="}},"credHelpers":{"x.io":"pass"}})");
  store_credentials(file, "quay.io/team", Credentials{"me", "secret"});
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  nlohmann::json doc = nlohmann::json::parse(read_file(file));
  EXPECT_EQ(doc["auths"]["quay.io/team"]["auth"], auth_of("me:secret"));
  EXPECT_EQ(doc["auths"]["other.io"]["auth"], "b3RoZXI6MQ==");
  EXPECT_EQ(doc["credHelpers"]["x.io"], "pass");
  EXPECT_EQ(find_credentials("quay.io/team/app"), (Credentials{"me", "secret"}));
}

TEST_F(AuthFileTest, StoreCreatesTheFileAndItsDirectory) {
  fs::path file = dir_.path() / "new/dir/auth.json";
  store_credentials(file, "localhost:5000", Credentials{"u", "p"});
  struct stat st {};
  ASSERT_EQ(::stat(file.parent_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_EQ(find_credentials("localhost:5000/app", file), (Credentials{"u", "p"}));
}

TEST_F(AuthFileTest, RemovesEntries) {
  fs::path file = auth_file_write_path();
  EXPECT_FALSE(remove_credentials(file, "quay.io"));
  store_credentials(file, "quay.io", Credentials{"a", "b"});
  store_credentials(file, "ghcr.io", Credentials{"c", "d"});
  EXPECT_TRUE(remove_credentials(file, "quay.io"));
  EXPECT_FALSE(remove_credentials(file, "quay.io"));
  EXPECT_FALSE(find_credentials("quay.io/x"));
  EXPECT_TRUE(find_credentials("ghcr.io/x"));
  remove_all_credentials(file);
  EXPECT_FALSE(find_credentials("ghcr.io/x"));
  EXPECT_TRUE(fs::exists(file));
}

TEST_F(AuthFileTest, RefusesKeysWithSchemeTagOrDigest) {
  fs::path file = auth_file_write_path();
  for (std::string key : {"https://quay.io", "quay.io/app:latest", "quay.io/app@sha256:00", ""}) {
    error_of(ErrorKind::kInvalidInput, [&] {
      store_credentials(file, key, Credentials{"a", "b"});
    });
  }
  check_auth_key("localhost:5000");
  check_auth_key("quay.io/ns/repo");
}

}  // namespace
}  // namespace schicht::registry
