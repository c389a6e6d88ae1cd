// build / image build: images from Containerfiles (src/builder).
#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

#include "builder/builder.h"
#include "cli/commands.h"
#include "cli/events.h"
#include "cli/policy.h"
#include "copy/pull.h"
#include "core/error.h"
#include "core/platform.h"
#include "core/reference.h"
#include "images/manifest_list.h"
#include "registry/registries_conf.h"

namespace schicht::cli {
namespace {

std::pair<std::string, std::string> split_key_value(const std::string& text,
                                                    std::string_view flag) {
  size_t eq = text.find('=');
  if (eq == std::string::npos) {
    // podman takes "--build-arg NAME" as NAME from the environment.
    if (flag == "build-arg") {
      const char* value = std::getenv(text.c_str());
      return {text, value != nullptr ? value : ""};
    }
    return {text, ""};
  }
  return {text.substr(0, eq), text.substr(eq + 1)};
}

int64_t parse_epoch(const std::string& text, std::string_view what) {
  try {
    size_t used = 0;
    long long value = std::stoll(text, &used);
    if (used == text.size() && value >= 0) return value;
  } catch (const std::exception&) {
  }
  fail(ErrorKind::kInvalidInput, fmt::format("{}: {:?} is not a number of seconds", what, text));
}

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t at; (at = text.find(separator, start)) != std::string_view::npos; start = at + 1) {
    out.emplace_back(text.substr(start, at - start));
  }
  out.emplace_back(text.substr(start));
  return out;
}

// The platforms of --platform (a comma-separated list), or of --os/--arch/--variant; one
// nullopt (this machine's) when none is given. Each is settled and normalized as pull's is.
std::vector<std::optional<Platform>> build_platforms(const std::string& platform,
                                                     const std::string& os, const std::string& arch,
                                                     const std::string& variant) {
  if (!platform.empty() && (!os.empty() || !arch.empty() || !variant.empty())) {
    fail(ErrorKind::kInvalidInput,
         "invalid --platform may not be used with --os, --arch, or --variant");
  }
  std::vector<std::optional<Platform>> out;
  if (platform.empty()) {
    if (os.empty() && arch.empty() && variant.empty()) return {std::nullopt};
    Platform chosen = Platform{.os = os, .architecture = arch, .variant = variant}.normalize();
    PlatformChoice choice{chosen.os, chosen.architecture, chosen.variant};
    return {wanted_platforms(choice).front()};
  }
  for (const auto& part : split(platform, ',')) {
    std::vector<std::string> fields = split(part, '/');
    bool valid = fields.size() == 2 || fields.size() == 3;
    for (const auto& f : fields) valid = valid && !f.empty();
    if (!valid) {
      std::string message =
          fmt::format("invalid platform syntax for {:?} (use OS/ARCH[/VARIANT][,...])", part);
      // podman names the entry of a list twice.
      if (platform.find(',') != std::string::npos) {
        message = fmt::format("unable to parse platform {:?}: {}", part, message);
      }
      fail(ErrorKind::kInvalidInput, message);
    }
    Platform chosen = Platform::parse(part).normalize();
    out.push_back(
        wanted_platforms(PlatformChoice{chosen.os, chosen.architecture, chosen.variant}).front());
  }
  return out;
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

  builder::BuildOptions options;
  std::string context_arg = positional.empty() ? "." : positional[0];
  options.context_dir = fs::absolute(context_arg);
  std::error_code ec;
  if (!fs::is_directory(options.context_dir, ec)) {
    fail(ErrorKind::kNotFound,
         fmt::format("context must be a directory: {:?}: no such file or directory", context_arg));
  }
  if (files.size() > 1) fail(ErrorKind::kUnsupported, "only one --file is supported");
  if (!files.empty()) {
    options.containerfile = fs::absolute(files[0]);
    options.containerfile_name = files[0];
  } else {
    for (const char* name : {"Containerfile", "Dockerfile"}) {
      if (fs::is_regular_file(options.context_dir / name, ec)) {
        options.containerfile = options.context_dir / name;
        options.containerfile_name = (fs::path(context_arg) / name).lexically_normal().string();
        break;
      }
    }
    if (options.containerfile.empty()) {
      fail(ErrorKind::kNotFound,
           fmt::format("no Containerfile or Dockerfile specified or found in context directory, "
                       "{}: no such file or directory",
                       options.context_dir.string()));
    }
  }
  for (const auto& t : tags)
    options.tags.push_back(Reference::parse_local(t).with_default_tag().str());
  for (const auto& a : build_args) options.build_args.insert(split_key_value(a, "build-arg"));
  for (const auto& l : labels)
    options.labels.insert_or_assign(split_key_value(l, "label").first,
                                    split_key_value(l, "label").second);
  for (const auto& a : annotations)
    options.annotations.insert_or_assign(split_key_value(a, "annotation").first,
                                         split_key_value(a, "annotation").second);
  if (!tags.empty()) options.commit_name = tags.front();
  if (image_format == "docker") {
    options.docker_format = true;
  } else if (image_format != "oci") {
    fail(ErrorKind::kInvalidInput, fmt::format("unrecognized image type {:?}", image_format));
  }
  std::vector<std::optional<Platform>> platforms =
      build_platforms(platform_flag, os_flag, arch_flag, variant_flag);
  if (!manifest.empty()) images::list_name(manifest);  // a bad name fails before anything is built
  options.target = target;
  options.use_cache = !no_cache;
  options.layers = layers;
  options.quiet = quiet;
  options.squash = squash;
  options.identity_label = identity_label;
  if (pull == "missing" || pull == "true" || pull == "ifmissing" || pull == "ifnotpresent") {
    options.pull = builder::PullPolicy::kMissing;
  } else if (pull == "always") {
    options.pull = builder::PullPolicy::kAlways;
  } else if (pull == "never" || pull == "false") {
    options.pull = builder::PullPolicy::kNever;
  } else {
    fail(ErrorKind::kInvalidInput, fmt::format("invalid pull policy {:?}", pull));
  }
  if (!timestamp.empty()) {
    options.timestamp = parse_epoch(timestamp, "--timestamp");
  } else if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH");
             epoch != nullptr && *epoch != 0) {
    options.timestamp = parse_epoch(epoch, "SOURCE_DATE_EPOCH");
  }

  options.out = [](const std::string& line) {
    fmt::print("{}\n", line);
    std::fflush(stdout);
  };
  options.warn = [](const std::string& line) { fmt::print(stderr, "WARN[0000] {}\n", line); };
  store::Store& store = ctx.store();
  options.pull_image = [&](const std::string& name) {
    copy::PullOptions pull_options;
    if (flags.changed("tls-verify")) pull_options.registry.tls_verify = tls_verify;
    pull_options.registry.cert_dir = cert_dir;
    pull_options.registry.auth_file = authfile;
    pull_options.report = [quiet](const std::string& line) {
      if (!quiet) fmt::print(stderr, "{}\n", line);
    };
    pull_options.policy = command_policy(ctx, signature_policy);
    if (options.platform) {
      pull_options.platform = PlatformChoice{options.platform->os, options.platform->architecture,
                                             options.platform->variant};
    }
    registry::RegistriesConfSources sources = registry::registries_conf_sources();
    registry::RegistriesConf conf = registry::RegistriesConf::load(sources);
    return copy::pull(store, name, conf, sources, pull_options).id;
  };

  // One image per platform asked for, one after another, as podman builds them.
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
  const Digest& id = *built;
  if (platforms.size() > 1 && iidfile.empty()) return 0;
  if (!iidfile.empty()) {
    write_file_atomic(iidfile, id.str());
  } else {
    fmt::print("{}\n", id.hex());
  }
  return 0;
}

}  // namespace schicht::cli
