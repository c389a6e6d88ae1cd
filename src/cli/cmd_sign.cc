// `image sign`: GPG simple signatures for images already in a registry, as podman's.
#include <fmt/format.h>

#include "cli/commands.h"
#include "copy/signatures.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/reference.h"
#include "registry/registries_conf.h"

namespace schicht::cli {
namespace {

// podman takes transport:reference here, and only docker:// can be signed.
Reference docker_reference(const std::string& text) {
  constexpr std::string_view kDocker = "docker://";
  if (!text.starts_with(kDocker)) {
    size_t colon = text.find(':');
    if (colon == std::string::npos) {
      fail(ErrorKind::kInvalidInput,
           fmt::format("parsing image name: Invalid image name {:?}, expected colon-separated "
                       "transport:reference",
                       text));
    }
    fail(ErrorKind::kInvalidInput,
         fmt::format("parsing image name: Invalid image name {:?}, unknown transport {:?}", text,
                     text.substr(0, colon)));
  }
  return with_context("parsing image name",
                      [&] { return Reference::parse_docker_ref(text.substr(kDocker.size())); });
}

}  // namespace

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
    Reference reference = docker_reference(text);
    copy::sign_registry_image(reference, sign_by, all, directory, *config, conf, options);
  }
  return 0;
}

}  // namespace schicht::cli
