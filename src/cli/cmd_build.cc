// build / image build: images from Containerfiles (src/builder).
#include <cstdio>

#include <fmt/format.h>

#include "builder/build_request.h"
#include "builder/builder.h"
#include "cli/build_command_options.h"
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

// Pulls a FROM image for the build, as `pull` would with the build's registry flags
// (--tls-verify only when given: else registries.conf decides).
Digest pull_for_build(Context& ctx, const std::string& name, const builder::BuildOptions& options,
                      const BuildCommandOptions& parsed, bool tls_verify_given) {
  copy::PullOptions pull_options;
  if (tls_verify_given) pull_options.registry.tls_verify = parsed.tls_verify;
  pull_options.registry.cert_dir = parsed.cert_dir;
  pull_options.registry.auth_file = parsed.authfile;
  pull_options.report = [quiet = parsed.request.quiet](const std::string& line) {
    if (!quiet) fmt::print(stderr, "{}\n", line);
  };
  pull_options.policy = command_policy(ctx, parsed.signature_policy);
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

int cmd_build(Context& ctx, BuildCommandOptions& parsed, Invocation& invocation) {
  builder::BuildRequest& request = parsed.request;
  if (!invocation.positional.empty()) request.context = invocation.positional[0];
  if (!invocation.flags.changed("format")) request.image_format = builder::default_image_format();
  builder::BuildInputs inputs = builder::settle_build_inputs(request);
  // A bad list name fails before anything is built.
  if (!parsed.manifest.empty()) images::list_name(parsed.manifest);
  builder::BuildOptions& options = inputs.options;
  builder::settle_build_policies(request, options);
  options.overlay = containers::build_steps_on_overlay(driver_request(ctx));
  options.out = [](const std::string& line) {
    fmt::print("{}\n", line);
    std::fflush(stdout);
  };
  options.warn = [](const std::string& line) { fmt::print(stderr, "WARN[0000] {}\n", line); };
  bool tls_verify_given = invocation.flags.changed("tls-verify");
  options.pull_image = [&ctx, &options, &parsed, tls_verify_given](const std::string& name) {
    return pull_for_build(ctx, name, options, parsed, tls_verify_given);
  };
  return build_each(ctx.store(), inputs, parsed.manifest, parsed.iidfile);
}

}  // namespace schicht::cli
