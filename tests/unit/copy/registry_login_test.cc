// login and logout's use cases without a registry: the key they take, the refusals that come
// before any request, and the stored user.
#include "copy/registry_login.h"

#include <gtest/gtest.h>

#include "core/fs.h"
#include "error_of.h"
#include "registry/auth_file.h"
#include "scoped_env.h"

namespace schicht::copy {
namespace {

class RegistryLoginTest : public ::testing::Test {
 protected:
  RegistryLoginTest()
      : dir_(temp_root(), "schicht-login-test"),
        conf_("CONTAINERS_REGISTRIES_CONF", (dir_.path() / "registries.conf").string()) {
    write_file_atomic(dir_.path() / "registries.conf",
                      "unqualified-search-registries = [\"first.example.com\", \"b.example\"]\n");
  }

  // Prompts that must not be asked.
  static LoginPrompts no_prompts() {
    auto never = []() -> std::string {
      ADD_FAILURE() << "prompted";
      return "";
    };
    return LoginPrompts{.username = never,
                        .password = never,
                        .password_stdin = never,
                        .say = [](const std::string&) {}};
  }

  TempDir dir_;
  test_env::ScopedEnv conf_;
};

TEST_F(RegistryLoginTest, TheKeyDropsHttpSchemesAndDefaultsToTheFirstSearchRegistry) {
  EXPECT_EQ(auth_key(std::string("https://quay.io/ns")), "quay.io/ns");
  EXPECT_EQ(auth_key(std::string("http://localhost:5000")), "localhost:5000");
  EXPECT_EQ(auth_key(std::nullopt), "first.example.com");
  EXPECT_EQ(error_of(ErrorKind::kInvalidInput, [] { auth_key(std::string("ftp://x.io")); }),
            "parse reference from \"ftp://x.io\": invalid reference format");
}

TEST_F(RegistryLoginTest, ConflictingFlagsAreRefusedBeforeAnythingHappens) {
  fs::path file = dir_.path() / "auth.json";
  EXPECT_EQ(error_of(ErrorKind::kInvalidInput,
                     [&] {
                       login({.key = "quay.io",
                              .auth_file = file,
                              .username = "u",
                              .password = "p",
                              .password_stdin = true},
                             no_prompts());
                     }),
            "Can't specify both --password-stdin and --password");
  EXPECT_EQ(error_of(ErrorKind::kInvalidInput,
                     [&] {
                       login({.key = "quay.io", .auth_file = file, .password_stdin = true},
                             no_prompts());
                     }),
            "Must provide --username with --password-stdin");
  EXPECT_FALSE(fs::exists(file));
}

TEST_F(RegistryLoginTest, TheStoredUserIsTheOneLoggedIn) {
  fs::path file = dir_.path() / "auth.json";
  EXPECT_EQ(error_of(ErrorKind::kNotFound, [&] { login_user("quay.io", file); }),
            "not logged into quay.io");
  registry::store_credentials(file, "quay.io", {.username = "me", .password = "secret"});
  EXPECT_EQ(login_user("quay.io", file), "me");
}

}  // namespace
}  // namespace schicht::copy
