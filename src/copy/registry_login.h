// `login` and `logout` as podman 4.3 has them, without the terminal: the caller brings the
// prompts and prints what they return. Credentials are checked against the registry
// (login.h) before they are stored in the auth file (registry/auth_file.h).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "core/fs.h"
#include "registry/registry_client.h"

namespace schicht::copy {

// The registry (with an optional path) login and logout take: http(s):// dropped as podman
// does; without one, the first unqualified-search registry of registries.conf. kInvalidInput
// for another scheme, a bad key, or no registry at all.
std::string auth_key(const std::optional<std::string>& given);

// What login asks of the user, and says to them while it works.
struct LoginPrompts {
  std::function<std::string()> username;        // "Username: "
  std::function<std::string()> password;        // from the terminal, not echoed
  std::function<std::string()> password_stdin;  // --password-stdin
  std::function<void(const std::string&)> say;  // a line on stdout
};

struct LoginRequest {
  std::string key;       // auth_key's
  fs::path auth_file;    // --authfile (empty: the default)
  std::string username;  // empty: prompted (unless existing credentials are valid)
  std::string password;
  bool password_stdin = false;
  registry::RegistryOptions options;  // registries.conf's `insecure` for the key is applied
};

// Returns the auth file the credentials went to; nullopt when, with neither username nor
// password given, the stored credentials were valid already. kInvalidInput for podman's
// conflicting flags, kAuth ("logging into KEY: invalid username/password") when the registry
// refuses, kNetwork when it cannot be reached. Nothing is stored unless the registry accepted.
std::optional<fs::path> login(LoginRequest request, const LoginPrompts& prompts);

// The username stored for `key` (kNotFound "not logged into KEY").
std::string login_user(const std::string& key, const fs::path& auth_file);

}  // namespace schicht::copy
