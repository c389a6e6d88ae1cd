#include "registry/auth_file.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.h"

namespace schicht::registry {
namespace {

using nlohmann::json;

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

fs::path home_dir() {
  std::string home = env("HOME");
  return home.empty() ? fs::path("/") : fs::path(home);
}

std::string explicit_or_env(const fs::path& explicit_file) {
  return explicit_file.empty() ? env("REGISTRY_AUTH_FILE") : explicit_file.string();
}

// The file's JSON, or nullopt when it does not exist.
std::optional<json> load(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::nullopt;
  std::string text = read_file(path);
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded())
    fail(ErrorKind::kInvalidInput, fmt::format("{}: invalid JSON", path.string()));
  if (!doc.is_object()) {
    fail(ErrorKind::kInvalidInput, fmt::format("{}: not a JSON object", path.string()));
  }
  return doc;
}

// The entries map of a file: "auths" of a current file, the top level of a legacy one.
const json* auth_entries(const json& doc, const AuthFile& file) {
  if (file.legacy) return &doc;
  auto it = doc.find("auths");
  if (it == doc.end() || it->is_null()) return nullptr;
  if (!it->is_object()) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("{}: \"auths\" is not an object", file.path.string()));
  }
  return &*it;
}

// An entry's credentials; an empty result means "no usable credentials here" (an empty entry
// left for a credential helper).
Credentials decode_entry(const json& entry, const fs::path& path, const std::string& key) {
  Credentials out;
  if (!entry.is_object()) return out;
  if (auto it = entry.find("identitytoken"); it != entry.end() && it->is_string()) {
    out.identity_token = it->get<std::string>();
  }
  auto auth = entry.find("auth");
  if (auth == entry.end() || !auth->is_string() || auth->get<std::string>().empty()) return out;
  std::optional<std::string> decoded = base64_decode(auth->get<std::string>());
  size_t colon = decoded ? decoded->find(':') : std::string::npos;
  if (colon == std::string::npos) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("{}: the \"auth\" of \"{}\" is not base64 of user:password", path.string(),
                     key));
  }
  out.username = decoded->substr(0, colon);
  std::string password = decoded->substr(colon + 1);
  // Some writers pad the password with NULs; podman trims them.
  size_t first = password.find_first_not_of('\0');
  size_t last = password.find_last_not_of('\0');
  out.password = first == std::string::npos ? "" : password.substr(first, last - first + 1);
  return out;
}

std::string normalize_hub(std::string host) {
  if (host == "docker.io" || host == "registry-1.docker.io") return "index.docker.io";
  return host;
}

// A key as written by older Docker versions ("https://index.docker.io/v1/") reduced to what it
// names: the host when it carried a scheme (or the file is legacy), the key itself otherwise.
std::string normalize_key(std::string_view key, bool legacy) {
  std::string_view stripped = key;
  for (std::string_view scheme : {"http://", "https://"}) {
    if (stripped.starts_with(scheme)) stripped.remove_prefix(scheme.size());
  }
  if (legacy || stripped.size() != key.size()) stripped = stripped.substr(0, stripped.find('/'));
  return normalize_hub(std::string(stripped));
}

json load_for_update(const fs::path& file) {
  std::optional<json> doc = load(file);
  json out = doc ? std::move(*doc) : json::object();
  if (!out.contains("auths") || out["auths"].is_null()) out["auths"] = json::object();
  if (!out["auths"].is_object()) {
    fail(ErrorKind::kInvalidInput, fmt::format("{}: \"auths\" is not an object", file.string()));
  }
  return out;
}

void save(const fs::path& file, const json& doc) {
  if (file.has_parent_path()) make_dirs(file.parent_path(), 0700);
  // Tab indentation, as containers/image writes the file.
  write_file_atomic(file, doc.dump(1, '\t') + "\n", 0600);
}

}  // namespace

std::vector<AuthFile> auth_file_read_order(const fs::path& explicit_file) {
  std::string chosen = explicit_or_env(explicit_file);
  if (!chosen.empty()) return {AuthFile{chosen}};
  std::vector<AuthFile> out;
  std::string runtime = env("XDG_RUNTIME_DIR");
  std::error_code ec;
  if (runtime.empty()) {
    out.push_back({fs::path("/run/containers") / std::to_string(::getuid()) / "auth.json"});
  } else if (fs::is_directory(runtime, ec)) {
    // A runtime dir that does not exist is skipped for reading, as podman does.
    out.push_back({fs::path(runtime) / "containers" / "auth.json"});
  }
  std::string config_home = env("XDG_CONFIG_HOME");
  fs::path config = config_home.empty() ? home_dir() / ".config" : fs::path(config_home);
  out.push_back({config / "containers" / "auth.json"});
  std::string docker_config = env("DOCKER_CONFIG");
  out.push_back({docker_config.empty() ? home_dir() / ".docker" / "config.json"
                                       : fs::path(docker_config) / "config.json"});
  out.push_back({home_dir() / ".dockercfg", /*legacy=*/true});
  return out;
}

fs::path auth_file_write_path(const fs::path& explicit_file) {
  std::string chosen = explicit_or_env(explicit_file);
  if (!chosen.empty()) return chosen;
  std::string runtime = env("XDG_RUNTIME_DIR");
  if (runtime.empty())
    return fs::path("/run/containers") / std::to_string(::getuid()) / "auth.json";
  std::error_code ec;
  if (!fs::is_directory(runtime, ec)) {
    fail(ErrorKind::kIo, fmt::format("\"{}\" directory set by $XDG_RUNTIME_DIR does not exist. "
                                     "Either create the directory or unset $XDG_RUNTIME_DIR.",
                                     runtime));
  }
  return fs::path(runtime) / "containers" / "auth.json";
}

std::optional<Credentials> find_credentials_in(const AuthFile& file, std::string_view location) {
  std::optional<json> doc = load(file.path);
  if (!doc) return std::nullopt;
  const json* entries = auth_entries(*doc, file);
  if (entries == nullptr) return std::nullopt;
  std::string host(location.substr(0, location.find('/')));

  auto found = [&](const std::string& key, const json& entry) -> std::optional<Credentials> {
    Credentials credentials = decode_entry(entry, file.path, key);
    if (credentials.empty()) return std::nullopt;
    return credentials;
  };
  // Exact keys, most specific first. The first key present decides for this file, even when
  // its entry is empty, as in podman.
  std::vector<std::string> keys;
  if (file.legacy) {
    keys.push_back(host);
  } else {
    std::string key(location);
    for (;;) {
      keys.push_back(key);
      size_t slash = key.rfind('/');
      if (slash == std::string::npos) break;
      key.resize(slash);
    }
  }
  for (const std::string& key : keys) {
    if (auto it = entries->find(key); it != entries->end()) return found(key, *it);
  }
  // Then keys that name the same host in another spelling, in a fixed order.
  std::string wanted = normalize_hub(host);
  std::vector<std::string> names;
  for (const auto& [key, entry] : entries->items()) names.push_back(key);
  std::sort(names.begin(), names.end());
  for (const std::string& key : names) {
    if (normalize_key(key, file.legacy) == wanted) return found(key, (*entries)[key]);
  }
  return std::nullopt;
}

std::optional<Credentials> find_credentials(std::string_view location,
                                            const fs::path& explicit_file) {
  for (const AuthFile& file : auth_file_read_order(explicit_file)) {
    if (auto credentials = find_credentials_in(file, location)) return credentials;
  }
  return std::nullopt;
}

void check_auth_key(std::string_view key) {
  auto invalid = [&](std::string_view why) {
    fail(ErrorKind::kInvalidInput, fmt::format("invalid registry key \"{}\": {}", key, why));
  };
  if (key.empty()) invalid("empty");
  if (key.starts_with("http://") || key.starts_with("https://")) invalid("has a URL scheme");
  if (key.find('@') != std::string_view::npos) invalid("has a digest");
  size_t slash = key.find('/');
  if (slash != std::string_view::npos && key.substr(slash).find(':') != std::string_view::npos) {
    invalid("has a tag");
  }
  if (slash == 0 || key.ends_with('/')) invalid("has an empty component");
}

void store_credentials(const fs::path& file, std::string_view key, const Credentials& credentials) {
  check_auth_key(key);
  json doc = load_for_update(file);
  json entry = json::object();
  if (!credentials.username.empty() || !credentials.password.empty()) {
    entry["auth"] = base64_encode(credentials.username + ":" + credentials.password);
  }
  if (!credentials.identity_token.empty()) entry["identitytoken"] = credentials.identity_token;
  doc["auths"][std::string(key)] = std::move(entry);
  save(file, doc);
}

bool remove_credentials(const fs::path& file, std::string_view key) {
  std::error_code ec;
  if (!fs::exists(file, ec)) return false;
  json doc = load_for_update(file);
  if (doc["auths"].erase(std::string(key)) == 0) return false;
  save(file, doc);
  return true;
}

void remove_all_credentials(const fs::path& file) {
  std::error_code ec;
  if (!fs::exists(file, ec)) return;
  json doc = load_for_update(file);
  doc["auths"] = json::object();
  save(file, doc);
}

}  // namespace schicht::registry
