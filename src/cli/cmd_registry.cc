// pull, push, login and logout: images and credentials to and from registries.
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "artifacts/carry_referrers.h"
#include "cli/commands.h"
#include "cli/policy.h"
#include "cli/registry_command_options.h"
#include "cli/registry_flags.h"
#include "cli/render.h"
#include "containers/storage_driver.h"
#include "copy/local_transports.h"
#include "copy/pull.h"
#include "copy/push.h"
#include "copy/registry_login.h"
#include "copy/short_names.h"
#include "copy/signatures.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/reference.h"
#include "http/timeout_environment.h"
#include "registry/auth_file.h"
#include "registry/registries_conf.h"
#include "store/containers_conf.h"
#include "store/event_recorder.h"
#include "store/lookup.h"
#include "transport/transport_name.h"
#include "trust/passphrase.h"
#include "trust/sigstore_key.h"

namespace schicht::cli {
namespace {

// podman's report lines on stderr, none when quiet. On a terminal `bars` draws them, with a
// bar per blob redrawn in place, as podman does; it must outlive the transfer.
void report_on_stderr(copy::TransferOptions& options, bool quiet,
                      std::optional<ProgressBars>& bars) {
  if (quiet) return;
  options.report = [](const std::string& line) { fmt::print(stderr, "{}\n", line); };
  if (::isatty(STDERR_FILENO) == 1) {
    bars.emplace(stderr);
    options.report = [&bars](const std::string& line) { bars->line(line); };
    options.progress = &*bars;
  }
}

size_t positive(int64_t value, std::string_view flag) {
  if (value < 1) fail(ErrorKind::kInvalidInput, fmt::format("--{} must be at least 1", flag));
  return static_cast<size_t>(value);
}

// What pull and push take alike from their flags (`parsed` is their options): the registry
// options with --retry, --jobs, podman's report (report_on_stderr: `bars` must outlive the
// transfer), then the auth file's check.
template <typename TransferFlags>
void apply_transfer_flags(copy::TransferOptions& options, const TransferFlags& parsed,
                          const FlagSet& flags, std::optional<ProgressBars>& bars) {
  options.registry = parsed.registry_flags.options(flags);
  options.registry.http.max_retries = static_cast<int>(std::max<int64_t>(parsed.retry, 0));
  options.jobs = positive(parsed.jobs, "jobs");
  report_on_stderr(options, parsed.quiet, bars);
  parsed.registry_flags.check_authfile();
}

PlatformChoice platform_choice(const std::string& platform, const std::string& os,
                               const std::string& arch, const std::string& variant) {
  if (!platform.empty() && (!os.empty() || !arch.empty())) {
    fail(ErrorKind::kInvalidInput, "--platform option can not be specified with --arch or --os");
  }
  Platform chosen{.os = os, .architecture = arch, .variant = variant};
  if (!platform.empty()) {
    // podman takes a bare OS ("linux") as well as OS/ARCH[/VARIANT].
    chosen = platform.find('/') == std::string::npos ? Platform{.os = platform}
                                                     : Platform::parse(platform);
    if (chosen.variant.empty()) chosen.variant = variant;
  }
  chosen = chosen.normalize();
  return PlatformChoice{chosen.os, chosen.architecture, chosen.variant};
}

// The registry login and logout name (copy/registry_login.h).
std::string auth_key(const std::vector<std::string>& positional) {
  return copy::auth_key(positional.empty() ? std::nullopt
                                           : std::optional<std::string>(positional.front()));
}

[[noreturn]] void fail_reading(std::string_view what, std::string_view why) {
  fail(ErrorKind::kInvalidInput,
       fmt::format("getting username and password: reading {}: {}", what, why));
}

std::string prompt_username() {
  fmt::print("Username: ");
  std::fflush(stdout);
  std::string line;
  if (!std::getline(std::cin, line)) fail_reading("username", "EOF");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// Reads a password from the terminal without echoing it; podman refuses to read one otherwise.
std::string prompt_password() {
  termios saved{};
  if (::tcgetattr(STDIN_FILENO, &saved) != 0) {
    fail_reading("password", "inappropriate ioctl for device");
  }
  fmt::print("Password: ");
  std::fflush(stdout);
  termios quiet = saved;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  std::string line;
  bool ok = static_cast<bool>(std::getline(std::cin, line));
  ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
  fmt::print("\n");
  if (!ok) fail_reading("password", "EOF");
  return line;
}

std::string read_password_stdin() {
  std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

// login's questions on the terminal, and its remarks on stdout.
copy::LoginPrompts terminal_prompts() {
  return copy::LoginPrompts{
      .username = prompt_username,
      .password = prompt_password,
      .password_stdin = read_password_stdin,
      .say = [](const std::string& line) { fmt::print("{}\n", line); },
  };
}

// A push destination: docker://REF, or a bare reference (read as docker://).
Reference push_destination(const std::string& text) {
  if (copy::names_other_transport(text)) {
    fail(ErrorKind::kUnsupported,
         fmt::format("pushing to {:?}: the transport is not supported; push to docker://, "
                     "oci:, oci-archive:, docker-archive: or dir:",
                     text));
  }
  return copy::parse_docker_name(text);
}

// --referrers follows an image from a registry, or from an OCI layout (save --referrers).
void need_registry_sources(const std::vector<std::string>& sources) {
  for (const std::string& text : sources) {
    if (text.starts_with("oci:") || text.starts_with("oci-archive:")) continue;
    if (copy::names_other_transport(text)) {
      fail(ErrorKind::kInvalidInput,
           fmt::format("--referrers: {:?} is not in a registry (docker://)", text));
    }
  }
}

// pull --referrers: the referrers of the image just pulled, from the repository it came from.
void pull_image_referrers(store::Store& store, const copy::PulledImage& image,
                          const registry::RegistriesConf& conf, const copy::PullOptions& options) {
  artifacts::pull_referrers(store, Reference::parse(image.name), image.manifest_digest, conf,
                            options);
}

// Pulls each IMAGE in turn (from a local transport, or a registry: one tag or with `all_tags`
// every one), records its event and prints the IDs; with `referrers` their referrers too.
int pull_images(store::Store& store, const std::vector<std::string>& positional,
                const copy::PullOptions& options, bool all_tags, bool referrers) {
  registry::RegistriesConfSources sources = registry::registries_conf_sources();
  registry::RegistriesConf conf = registry::RegistriesConf::load(sources);
  for (const std::string& text : positional) {
    copy::LoadReferrers layout_referrers;
    if (referrers) {
      layout_referrers = [&store, &options](std::vector<copy::LayoutReferrer>& found,
                                            const std::vector<copy::LoadedImage>& images) {
        artifacts::load_referrers(store, found, images, options.report);
      };
    }
    if (auto local = copy::pull_local_by_name(store, text, options.policy.get(), options.jobs,
                                              layout_referrers, options.unpack)) {
      record_image_event(store, "pull", nullptr, text);
      for (const auto& id : *local) fmt::print("{}\n", id.hex());
      continue;
    }
    if (all_tags) {
      auto images = copy::pull_all_tags(store, text, conf, sources, options);
      record_image_event(store, "pull", nullptr, text);
      if (referrers) {
        for (const auto& image : images) pull_image_referrers(store, image, conf, options);
      }
      for (const auto& image : images) fmt::print("{}\n", image.id.hex());
    } else {
      copy::PulledImage image = copy::pull(store, text, conf, sources, options);
      record_image_event(store, "pull", nullptr, text);
      if (referrers) pull_image_referrers(store, image, conf, options);
      fmt::print("{}\n", image.id.hex());
    }
    std::fflush(stdout);
  }
  return 0;
}

// push's --format and --compression-format; --referrers refuses what would change the digest.
copy::PushOptions push_format(const std::string& format, const std::string& compression,
                              bool referrers, const std::vector<std::string>& positional) {
  if (referrers) {
    // The referrers name the image by its digest: a conversion would orphan them.
    if (!format.empty() || !compression.empty()) {
      fail(ErrorKind::kInvalidInput,
           "--referrers cannot be used with --format or --compression-format: the digest would "
           "change");
    }
    if (positional.size() == 2 && copy::names_other_transport(positional[1])) {
      fail(ErrorKind::kInvalidInput, "--referrers: the destination must be a registry (docker://)");
    }
  }
  copy::PushOptions options;
  if (!format.empty()) options.format = copy::parse_manifest_format(format);
  if (!compression.empty()) {
    std::optional<Compression> chosen = parse_compression(compression);
    if (!chosen || (*chosen != Compression::kGzip && *chosen != Compression::kZstd)) {
      fail(ErrorKind::kInvalidInput, fmt::format("cannot find compressor for {:?}", compression));
    }
    options.compression = chosen;
  }
  return options;
}

// The signatures push adds: the sigstore key already loaded, --sign-by's GPG key.
void add_signing(Context& ctx, copy::PushOptions& options,
                 const std::vector<std::string>& positional, const std::string& sign_by,
                 bool remove_signatures) {
  if (options.sigstore_key) {
    options.registries_d = copy::load_registries_d(ctx.options().registries_d);
  }
  if (!sign_by.empty()) {
    if (remove_signatures) {
      fail(ErrorKind::kInvalidInput, "cannot use --sign-by together with --remove-signatures");
    }
    if (positional.size() == 2 && copy::names_other_transport(positional[1])) {
      fail(ErrorKind::kUnsupported, "--sign-by is only supported for pushes to a registry");
    }
    options.sign_by = sign_by;
    options.registries_d = copy::load_registries_d(ctx.options().registries_d);
  }
}

// Pushes IMAGE to DESTINATION (a local transport, or a registry; without one, to the image's
// own name), records the event, and with `referrers` pushes the stored referrers after it.
int push_one(Context& ctx, const std::vector<std::string>& positional, copy::PushOptions& options,
             bool referrers, const std::string& digestfile) {
  // The image is read from the store holding it (an additional image store too); events go to
  // the primary store's log.
  store::Store& primary = ctx.store();
  auto [holder, id] = ctx.resolve_image(positional[0]);
  store::Store& store = *holder;
  if (auto name = store::find_name(store, id, positional[0])) options.image_name = *name;
  // Without a destination the image's name is one, read as a docker:// reference.
  const std::string& text = positional.size() == 2 ? positional[1] : positional[0];
  std::optional<transport::TransportRef> local = transport::parse_transport_name(text);
  if (local && !local->is_local()) local.reset();
  if (options.sigstore_key && local) {
    fail(ErrorKind::kUnsupported,
         fmt::format("sigstore signatures are attached in a registry; {} destinations "
                     "cannot hold them",
                     local->name));
  }
  registry::RegistriesConf conf = registry::RegistriesConf::load();
  Digest pushed = local ? copy::push_image(store, id, *local, conf, options)
                        : copy::push_image(store, id, push_destination(text), conf, options);
  record_image_event(primary, "push", &id, text);
  if (referrers) {
    std::optional<store::ImageInfo> image = store.image(id);
    if (!image) fail(ErrorKind::kNotFound, fmt::format("{}: image not known", positional[0]));
    artifacts::push_referrers(store, image->manifest_digest, pushed, push_destination(text), conf,
                              options);
  }
  if (!digestfile.empty()) write_file_atomic(digestfile, pushed.str(), 0644);
  return 0;
}

}  // namespace

int cmd_pull(Context& ctx, PullOptions& parsed, Invocation& invocation) {
  auto& [registry_flags, quiet, all_tags, platform, os, arch, variant, retry, jobs, all_platforms,
         signature_policy, referrers, unpack] = parsed;
  const FlagSet& flags = invocation.flags;
  auto& positional = invocation.positional;
  if (referrers) need_registry_sources(positional);
  copy::PullOptions options;
  options.platform = platform_choice(platform, os, arch, variant);
  options.all_platforms = all_platforms;
  std::optional<ProgressBars> bars;
  apply_transfer_flags(options, parsed, flags, bars);
  options.policy = command_policy(ctx, signature_policy);
  options.registries_d = copy::load_registries_d(ctx.options().registries_d);
  options.unpack = containers::unpack_on_pull(
      driver_request(ctx), flags.changed("unpack") ? std::optional<bool>(unpack)
                                                   : store::load_engine_conf().image_unpack);
  return pull_images(ctx.store(), positional, options, all_tags, referrers);
}

int cmd_push(Context& ctx, PushOptions& parsed, Invocation& invocation) {
  auto& [registry_flags, quiet, remove_signatures, compress, digestfile, compression, format, retry,
         jobs, sigstore_key_file, sign_passphrase_file, sign_by, referrers] = parsed;
  auto& positional = invocation.positional;
  if (positional.size() > 2) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("accepts at most 2 arg(s), received {}", positional.size()));
  }
  copy::PushOptions options = push_format(format, compression, referrers, positional);
  std::optional<ProgressBars> bars;
  apply_transfer_flags(options, parsed, invocation.flags, bars);
  // Decrypted before anything moves: a wrong passphrase must not leave an unsigned push.
  options.sigstore_key = trust::load_signing_key(sigstore_key_file, sign_passphrase_file);
  add_signing(ctx, options, positional, sign_by, remove_signatures);
  options.compress = compress;
  return push_one(ctx, positional, options, referrers, digestfile);
}

int cmd_login(Context& /*ctx*/, LoginOptions& parsed, Invocation& invocation) {
  auto& [registry_flags, username, password, password_stdin, get_login, verbose] = parsed;
  const FlagSet& flags = invocation.flags;
  auto& positional = invocation.positional;
  std::string key = auth_key(positional);
  if (get_login) {
    fmt::print("{}\n", copy::login_user(key, registry_flags.authfile));
    return 0;
  }
  std::optional<fs::path> file =
      copy::login(copy::LoginRequest{.key = key,
                                     .auth_file = registry_flags.authfile,
                                     .username = username,
                                     .password = password,
                                     .password_stdin = password_stdin,
                                     .options = registry_flags.options(flags)},
                  terminal_prompts());
  if (!file) return 0;
  if (verbose) fmt::print("Used:  {}\n", file->string());
  fmt::print("Login Succeeded!\n");
  return 0;
}

int cmd_logout(Context& /*ctx*/, LogoutOptions& parsed, Invocation& invocation) {
  auto& [authfile, all] = parsed;
  auto& positional = invocation.positional;
  fs::path file = registry::auth_file_write_path(authfile);
  if (all) {
    registry::remove_all_credentials(file);
    fmt::print("Removed login credentials for all registries\n");
    return 0;
  }
  std::string key = auth_key(positional);
  if (!registry::remove_credentials(file, key)) {
    fail(ErrorKind::kNotFound, fmt::format("not logged into {}", key));
  }
  fmt::print("Removed login credentials for {}\n", key);
  return 0;
}

}  // namespace schicht::cli
