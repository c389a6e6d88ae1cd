// The registry flags of a command with two sides, as skopeo names them: --src-creds and
// --src-tls-verify, --src-cert-dir and --src-authfile, and the same with --dest- (image copy,
// image sync).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "cmdline/flags.h"
#include "core/error.h"
#include "http/timeout_environment.h"
#include "registry/registry_client.h"

namespace schicht::cli {

// One side's flags; `prefix` is "src" or "dest".
struct SideFlags {
  std::string prefix;
  std::string creds;
  bool tls_verify = true;
  std::string cert_dir;
  std::string authfile;

  void add(cmdline::FlagSet& flags, std::string_view side) {
    flags.add_string(prefix + "-creds", 0, &creds,
                     fmt::format("Use USERNAME[:PASSWORD] for accessing the {} registry", side));
    flags.add_bool(prefix + "-tls-verify", 0, &tls_verify,
                   fmt::format("Require HTTPS and verify certificates when talking to the {} "
                               "registry (default true)",
                               side));
    flags.add_string(
        prefix + "-cert-dir", 0, &cert_dir,
        fmt::format("Use certificates at PATH (*.crt, *.cert, *.key) to connect to the "
                    "{} registry",
                    side));
    flags.add_string(prefix + "-authfile", 0, &authfile,
                     fmt::format("Path of the authentication file for the {} registry", side));
  }

  registry::RegistryOptions options(const cmdline::FlagSet& flags, int64_t retries) const {
    registry::RegistryOptions out;
    if (flags.changed(prefix + "-tls-verify")) out.tls_verify = tls_verify;
    http::apply_timeout_environment(out.http);
    out.http.max_retries = static_cast<int>(std::max<int64_t>(retries, 0));
    out.cert_dir = cert_dir;
    out.auth_file = authfile;
    if (!creds.empty()) {
      // skopeo's USERNAME[:PASSWORD]; the value is not echoed: it may hold a password.
      size_t colon = creds.find(':');
      if (colon == 0)
        fail(ErrorKind::kInvalidInput, fmt::format("--{}-creds: empty username", prefix));
      out.credentials = registry::Credentials{
          .username = creds.substr(0, colon),
          .password = colon == std::string::npos ? std::string() : creds.substr(colon + 1)};
    }
    return out;
  }
};

}  // namespace schicht::cli
