// build / image build: images from Containerfiles (src/builder).
#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

#include "builder/build_request.h"
#include "builder/builder.h"
#include "cli/commands.h"
#include "cli/policy.h"
#include "containers/storage_driver.h"
#include "copy/pull.h"
#include "core/error.h"
#include "core/platform.h"
#include "core/reference.h"
#include "images/manifest_list.h"
#include "registry/registries_conf.h"
#include "store/event_recorder.h"

namespace schicht::cli {
namespace {

// Pulls a FROM image for the build, as `pull` would with the build's registry flags.
Digest pull_for_build(Context& ctx, const std::string& name, const builder::BuildOptions& options,
                      const copy::PullOptions& base, const std::string& signature_policy) {
  copy::PullOptions pull_options = base;
  pull_options.policy = command_policy(ctx, signature_policy);
  if (options.platform) {
    pull_options.platform = PlatformChoice{options.platform->os, options.platform->architecture,
                                           options.platform->variant};
  }
  registry::RegistriesConfSources sources = registry::registries_conf_sources();
  registry::RegistriesConf conf = registry::RegistriesConf::load(sources);
  return copy::pull(ctx.store(), name, conf, sources, pull_options).id;
}

// One image per platform asked for, one after another, as podman builds them; prints the IDs
// as podman does. Returns the exit code.
int build_each(store::Store& store, builder::BuildInputs& inputs, const std::string& manifest,
               const std::string& iidfile) {
  builder::BuildOptions& options = inputs.options;
  const auto& platforms = inputs.platforms;
  std::optional<Digest> built;
  for (const auto& platform : platforms) {
    options.platform = platform;
    try {
      built = builder::build_image(store, options);
    } catch (const builder::StepFailed& e) {
      std::fflush(stdout);
      fmt::print(stderr, "Error: {}\n", e.what());
      return e.status();
    }
    // podman names the built image by its ID and leaves the event's ID empty.
    record_image_event(store, "build", nullptr, built->hex());
    // Each image joins the list as it is built, so a later failure keeps the earlier ones.
    if (!manifest.empty())
      images::add_to_list(store, manifest, images::local_list_entry(store, *built, manifest));
    if (platforms.size() > 1 && iidfile.empty()) fmt::print("{}\n", built->hex());
  }
  if (platforms.size() > 1 && iidfile.empty()) return 0;
  if (!iidfile.empty()) {
    write_file_atomic(iidfile, built->str());
  } else {
    fmt::print("{}\n", built->hex());
  }
  return 0;
}

}  // namespace

int cmd_build(Context& ctx, CommandArgs args) {
  FlagSet flags;
  std::vector<std::string> files, tags, build_args, labels, annotations;
  std::string target, iidfile, pull = "missing", timestamp, authfile, cert_dir, signature_policy;
  bool no_cache = false, layers = true, quiet = false, squash = false, tls_verify = true,
       identity_label = true;
  flags.add_strings("file", 'f', &files, "Pathname or URL of a Dockerfile");
  flags.add_strings("tag", 't', &tags, "tagged name to apply to the built image");
  flags.add_strings("build-arg", 0, &build_args, "argument=value to supply to the builder");
  flags.add_string("target", 0, &target, "set the target build stage to build");
  flags.add_bool("no-cache", 0, &no_cache,
                 "Do not use existing cached images for the container build");
  flags.add_bool("layers", 0, &layers, "Cache intermediate layers during build (default true)");
  flags.add_strings("label", 0, &labels, "Set metadata for an image (default [])");
  flags.add_bool("identity-label", 0, &identity_label, "add default identity label (default true)");
  flags.add_strings("annotation", 0, &annotations, "Set metadata for an image (default [])");
  flags.add_bool("quiet", 'q', &quiet,
                 "refrain from announcing build instructions and image read/write progress");
  flags.add_string("iidfile", 0, &iidfile, "file to write the image ID to");
  flags.add_string(
      "pull", 0, &pull,
      "pull base and SBOM scanner images: missing, always, or never (default missing)");
  flags.add_bool("squash", 0, &squash, "squash all image layers into a single layer");
  flags.add_string(
      "timestamp", 0, &timestamp,
      "set created timestamp to the specified epoch seconds to allow for deterministic builds");
  flags.add_bool("tls-verify", 0, &tls_verify,
                 "require HTTPS and verify certificates when accessing the registry");
  flags.add_string("authfile", 0, &authfile, "path of the authentication file");
  flags.add_string("cert-dir", 0, &cert_dir,
                   "use certificates at the specified path to access the registry");
  flags.add_string("signature-policy", 0, &signature_policy, "Path to a signature-policy file");
  flags.add_ignored("isolation", 0, true);
  std::string platform_flag, os_flag, arch_flag, variant_flag;
  flags.add_string("platform", 0, &platform_flag,
                   "set the OS/ARCH/VARIANT of the image to the provided value instead of the "
                   "current operating system and architecture of the host (for example linux/arm)");
  flags.add_string("os", 0, &os_flag,
                   "set the OS to the provided value instead of the current operating system of "
                   "the host");
  flags.add_string("arch", 0, &arch_flag,
                   "set the ARCH of the image to the provided value instead of the architecture "
                   "of the host");
  flags.add_string("variant", 0, &variant_flag, "override the variant of the specified image");
  std::string manifest;
  flags.add_string("manifest", 0, &manifest,
                   "add the image to the specified manifest list. Creates manifest list if it "
                   "does not exist");
  std::string image_format = "oci";
  if (const char* env = std::getenv("BUILDAH_FORMAT"); env != nullptr && *env != 0)
    image_format = env;
  flags.add_string("format", 0, &image_format,
                   "format of the built image's manifest and metadata (default \"oci\")");
  flags.add_ignored("network", 0, true);
  flags.add_ignored("force-rm", 0, false);
  flags.add_ignored("rm", 0, false);
  flags.add_ignored("jobs", 0, true);
  bool help = false;
  auto positional =
      parse_command_flags(ctx, flags, args, "schicht build [options] [CONTEXT]", &help);
  if (help) return 0;
  if (positional.size() > 1) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("accepts at most 1 arg(s), received {}", positional.size()));
  }

  builder::BuildRequest request{.context = positional.empty() ? "" : positional[0],
                                .files = files,
                                .tags = tags,
                                .build_args = build_args,
                                .labels = labels,
                                .annotations = annotations,
                                .target = target,
                                .image_format = image_format,
                                .platform = platform_flag,
                                .os = os_flag,
                                .arch = arch_flag,
                                .variant = variant_flag,
                                .no_cache = no_cache,
                                .layers = layers,
                                .quiet = quiet,
                                .squash = squash,
                                .identity_label = identity_label,
                                .pull = pull,
                                .timestamp = timestamp};
  builder::BuildInputs inputs = builder::settle_build_inputs(request);
  if (!manifest.empty()) images::list_name(manifest);  // a bad name fails before anything is built
  builder::BuildOptions& options = inputs.options;
  builder::settle_build_policies(request, options);
  options.overlay = containers::build_steps_on_overlay(driver_request(ctx));
  options.out = [](const std::string& line) {
    fmt::print("{}\n", line);
    std::fflush(stdout);
  };
  options.warn = [](const std::string& line) { fmt::print(stderr, "WARN[0000] {}\n", line); };
  copy::PullOptions pull_options;
  if (flags.changed("tls-verify")) pull_options.registry.tls_verify = tls_verify;
  pull_options.registry.cert_dir = cert_dir;
  pull_options.registry.auth_file = authfile;
  pull_options.report = [quiet](const std::string& line) {
    if (!quiet) fmt::print(stderr, "{}\n", line);
  };
  options.pull_image = [&](const std::string& name) {
    return pull_for_build(ctx, name, options, pull_options, signature_policy);
  };
  return build_each(ctx.store(), inputs, manifest, iidfile);
}

}  // namespace schicht::cli
