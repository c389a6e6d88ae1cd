// The flags every registry command shares (--tls-verify, --cert-dir, --authfile, --creds) and
// the registry options they give.
#pragma once

#include <cstdlib>
#include <string>

#include <fmt/format.h>

#include "cmdline/flags.h"
#include "core/error.h"
#include "core/fs.h"
#include "http/timeout_environment.h"
#include "registry/registry_client.h"

namespace schicht::cli {

// The flags every registry command shares, and the registry options they give.
struct RegistryFlags {
  bool tls_verify = true;
  std::string cert_dir;
  std::string authfile;
  std::string creds;

  void add(cmdline::FlagSet& flags, bool with_creds = true) {
    flags.add_bool("tls-verify", 0, &tls_verify,
                   "Require HTTPS and verify certificates when contacting registries (default "
                   "true)");
    flags.add_string("cert-dir", 0, &cert_dir,
                     "Path to a directory containing TLS certificates and keys");
    flags.add_string("authfile", 0, &authfile,
                     "Path of the authentication file. Use REGISTRY_AUTH_FILE environment "
                     "variable to override");
    if (with_creds) {
      flags.add_string("creds", 0, &creds,
                       "Credentials (USERNAME:PASSWORD) to use for authenticating to a registry");
    }
  }

  registry::RegistryOptions options(const cmdline::FlagSet& flags) const {
    registry::RegistryOptions out;
    if (flags.changed("tls-verify")) out.tls_verify = tls_verify;
    http::apply_timeout_environment(out.http);
    out.cert_dir = cert_dir;
    out.auth_file = authfile;
    if (!creds.empty()) {
      size_t colon = creds.find(':');
      if (colon == std::string::npos || colon == 0) {
        // The value is not echoed: it may hold a password.
        fail(ErrorKind::kInvalidInput, "--creds: expected USERNAME:PASSWORD");
      }
      out.credentials = registry::Credentials{.username = creds.substr(0, colon),
                                              .password = creds.substr(colon + 1)};
    }
    return out;
  }

  // podman refuses an auth file named by --authfile or $REGISTRY_AUTH_FILE that does not
  // exist, before it does anything else.
  void check_authfile() const {
    const char* env = std::getenv("REGISTRY_AUTH_FILE");
    std::string file = !authfile.empty() ? authfile : env != nullptr ? env : "";
    std::error_code ec;
    if (!file.empty() && !fs::exists(file, ec)) {
      fail(ErrorKind::kNotFound, fmt::format("stat {}: no such file or directory", file));
    }
  }
};

}  // namespace schicht::cli
