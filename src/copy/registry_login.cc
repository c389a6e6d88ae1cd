#include "copy/registry_login.h"

#include <fmt/format.h>

#include "copy/login.h"
#include "core/error.h"
#include "registry/auth_file.h"
#include "registry/registries_conf.h"

namespace schicht::copy {
namespace {

// Checks credentials as podman login does, with its messages.
void verify_login(const std::string& key, const registry::RegistryOptions& options,
                  const registry::Credentials& credentials) {
  std::string host = key.substr(0, key.find('/'));
  try {
    check_login(host, options, credentials);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::kAuth) throw e.with_context(fmt::format("logging into {:?}", key));
    throw e.with_context(fmt::format("authenticating creds for {:?}", key));
  }
}

// True when the stored credentials for the key are valid (login has nothing to do).
bool existing_valid(const LoginRequest& request, const LoginPrompts& prompts) {
  auto existing = registry::find_credentials(request.key, request.auth_file);
  if (!existing) return false;
  prompts.say(fmt::format("Authenticating with existing credentials for {}", request.key));
  try {
    verify_login(request.key, request.options, *existing);
    prompts.say(
        fmt::format("Existing credentials are valid. Already logged in to {}", request.key));
    return true;
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::kAuth) throw;
    prompts.say("Existing credentials are invalid, please enter valid username and password");
    return false;
  }
}

}  // namespace

std::string auth_key(const std::optional<std::string>& given) {
  std::string key;
  if (!given) {
    // Kept while `search` refers into it.
    registry::RegistriesConf conf = registry::RegistriesConf::load();
    const auto& search = conf.unqualified_search_registries();
    if (search.empty()) {
      fail(ErrorKind::kInvalidInput,
           "no registries found in registries.conf, a registry must be provided");
    }
    key = search.front();
  } else {
    key = *given;
  }
  for (std::string_view scheme : {"http://", "https://"}) {
    if (key.starts_with(scheme)) key.erase(0, scheme.size());
  }
  if (key.find("://") != std::string::npos) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("parse reference from {:?}: invalid reference format", key));
  }
  registry::check_auth_key(key);
  return key;
}

std::optional<fs::path> login(LoginRequest request, const LoginPrompts& prompts) {
  if (request.password_stdin && !request.password.empty()) {
    fail(ErrorKind::kInvalidInput, "Can't specify both --password-stdin and --password");
  }
  if (request.password_stdin && request.username.empty()) {
    fail(ErrorKind::kInvalidInput, "Must provide --username with --password-stdin");
  }
  if (const registry::RegistryConfig* table = registry::RegistriesConf::load().find(request.key)) {
    request.options.insecure = table->insecure;
  }
  fs::path file = registry::auth_file_write_path(request.auth_file);
  if (request.username.empty() && request.password.empty() && !request.password_stdin &&
      existing_valid(request, prompts)) {
    return std::nullopt;
  }
  if (request.username.empty()) request.username = prompts.username();
  if (request.password_stdin) request.password = prompts.password_stdin();
  if (request.password.empty()) request.password = prompts.password();
  registry::Credentials credentials{.username = request.username, .password = request.password};
  verify_login(request.key, request.options, credentials);
  registry::store_credentials(file, request.key, credentials);
  return file;
}

std::string login_user(const std::string& key, const fs::path& auth_file) {
  std::optional<registry::Credentials> found = registry::find_credentials(key, auth_file);
  if (!found) fail(ErrorKind::kNotFound, fmt::format("not logged into {}", key));
  return found->username;
}

}  // namespace schicht::copy
