// `image sign`: GPG simple signatures for images already in a registry, as podman's.
#include <fmt/format.h>

#include "cli/commands.h"
#include "copy/signatures.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/reference.h"
#include "registry/registries_conf.h"

namespace schicht::cli {
int cmd_image_sign(Context& ctx, CommandArgs args) {
  FlagSet flags;
  std::string sign_by, directory, cert_dir, authfile;
  bool all = false;
  flags.add_string("sign-by", 0, &sign_by, "Name of the signing key");
  flags.add_string("directory", 'd', &directory,
                   "Define an alternate directory to store signatures");
  flags.add_string("cert-dir", 0, &cert_dir,
                   "Path to a directory containing TLS certificates and keys");
  flags.add_string("authfile", 0, &authfile,
                   "Path of the authentication file. Use REGISTRY_AUTH_FILE environment variable "
                   "to override");
  flags.add_bool("all", 'a', &all, "Sign all the manifests of the multi-architecture image");
  bool help = false;
  auto positional =
      parse_command_flags(ctx, flags, args, "schicht image sign [options] IMAGE [IMAGE...]", &help);
  if (help) return 0;
  if (positional.empty()) {
    fail(ErrorKind::kInvalidInput, "requires at least 1 arg(s), only received 0");
  }
  if (sign_by.empty()) fail(ErrorKind::kInvalidInput, "please provide an identity");
  if (!directory.empty()) {
    std::error_code ec;
    if (!fs::is_directory(directory, ec)) {
      fail(ErrorKind::kNotFound, fmt::format("stat {}: no such file or directory", directory));
    }
  }
  registry::RegistryOptions options;
  options.cert_dir = cert_dir;
  options.auth_file = authfile;
  auto config = copy::load_registries_d(ctx.options().registries_d);
  registry::RegistriesConf conf = registry::RegistriesConf::load();
  for (const std::string& text : positional) {
    Reference reference = copy::parse_signing_name(text);
    copy::sign_registry_image(reference, sign_by, all, directory, *config, conf, options);
  }
  return 0;
}

}  // namespace schicht::cli
