// Registry credentials in auth.json files, found and written as podman does.
//
// Reading: an explicit file (--authfile, else $REGISTRY_AUTH_FILE) is the only one read.
// Otherwise the first file that has an entry for the location wins, in this order:
// ${XDG_RUNTIME_DIR}/containers/auth.json (/run/containers/<uid>/auth.json without
// XDG_RUNTIME_DIR), ${XDG_CONFIG_HOME:-~/.config}/containers/auth.json,
// ${DOCKER_CONFIG:-~/.docker}/config.json, then the legacy ~/.dockercfg. Within a file the most
// specific key wins ("host/ns/repo", "host/ns", "host"), then keys written as URLs or with
// Docker Hub's other names match by host. Credential helpers (credHelpers) are not run.
//
// Writing (login/logout) rewrites the whole file atomically with mode 0600, keeping entries
// and top-level fields it does not touch.
//
// All functions read the process environment; none keeps state. Concurrent writers of one file
// are not serialized (last rename wins), as with podman.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/fs.h"
#include "registry/auth.h"

namespace schicht::registry {

struct AuthFile {
  fs::path path;
  bool legacy = false;  // ~/.dockercfg: the host map at the top level, matched by host only
};

// The files credentials are read from, in order.
std::vector<AuthFile> auth_file_read_order(const fs::path& explicit_file = {});

// The file login and logout write: the explicit file, else the XDG_RUNTIME_DIR one. kIo when
// XDG_RUNTIME_DIR names a directory that does not exist.
fs::path auth_file_write_path(const fs::path& explicit_file = {});

// Credentials for `location`, "host[:port][/namespace.../repository]" as in a reference
// ("docker.io/library/alpine"). nullopt when no file has a usable entry. kInvalidInput naming
// the file when a file is not valid JSON or an entry's `auth` is not base64 "user:password".
std::optional<Credentials> find_credentials(std::string_view location,
                                            const fs::path& explicit_file = {});
// The same within one file; a missing file has no credentials.
std::optional<Credentials> find_credentials_in(const AuthFile& file, std::string_view location);

// kInvalidInput unless `key` is "host[:port][/path]" without a scheme, tag or digest.
void check_auth_key(std::string_view key);

// Sets the entry for `key` ("auth" = base64 user:password, plus "identitytoken" when set),
// creating the file (and its directory, mode 0700) when needed.
void store_credentials(const fs::path& file, std::string_view key, const Credentials& credentials);

// Removes the entry for `key`; false when there was none (or no file).
bool remove_credentials(const fs::path& file, std::string_view key);

// Removes every entry (logout --all); the file stays, with other top-level fields.
void remove_all_credentials(const fs::path& file);

}  // namespace schicht::registry
