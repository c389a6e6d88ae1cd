// `image sign`: GPG simple signatures for images already in a registry, as podman's.
#include <fmt/format.h>

#include "cli/commands.h"
#include "copy/signatures.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/reference.h"
#include "registry/registries_conf.h"

namespace schicht::cli {

int cmd_image_sign(Context& ctx, ImageSignOptions& parsed, Invocation& invocation) {
  auto& [sign_by, directory, cert_dir, authfile, all] = parsed;
  auto& positional = invocation.positional;
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
