// image copy: skopeo's copy, from any transport to any other, through copy::copy_image.
#include <cstdio>
#include <string>

#include <fmt/format.h>

#include "archive/compression.h"
#include "artifacts/copy_referrers.h"
#include "cli/commands.h"
#include "cli/passphrase.h"
#include "cli/policy.h"
#include "cli/registry_command_options.h"
#include "cli/side_registry_flags.h"
#include "copy/copy_image.h"
#include "copy/short_names.h"
#include "copy/signatures.h"
#include "core/error.h"
#include "registry/registries_conf.h"
#include "transport/transport_name.h"

namespace schicht::cli {
namespace {

transport::TransportRef image_name(const std::string& text, std::string_view role) {
  std::optional<transport::TransportRef> ref = transport::parse_transport_name(text);
  if (!ref) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("Invalid {} name {}: Invalid image name {:?}, expected colon-separated "
                     "transport:reference",
                     role, text, text));
  }
  return *ref;
}

}  // namespace

int cmd_image_copy(Context& ctx, ImageCopyOptions& parsed, Invocation& invocation) {
  auto& [all, preserve_digests, quiet, multi_arch, signature_policy, retry_times, source,
         destination, referrers, format, compress_format, sign_by, sigstore_key_file,
         passphrase_file, dest_compress, remove_signatures, compress_level] = parsed;
  const FlagSet& flags = invocation.flags;
  auto& positional = invocation.positional;
  if (positional.size() != 2) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("Exactly two arguments expected, received {}", positional.size()));
  }
  if (all && flags.changed("multi-arch")) {
    fail(ErrorKind::kInvalidInput, "Cannot use --all and --multi-arch flags together");
  }
  copy::CopyOptions options;
  options.multi_arch = all                  ? copy::MultiArch::kAll
                       : multi_arch.empty() ? copy::MultiArch::kSystem
                                            : copy::parse_multi_arch(multi_arch);
  options.preserve_digests = preserve_digests;
  if (!format.empty()) options.format = copy::parse_manifest_format(format);
  if (!compress_format.empty()) {
    std::optional<Compression> chosen = parse_compression(compress_format);
    if (!chosen || (*chosen != Compression::kGzip && *chosen != Compression::kZstd)) {
      fail(ErrorKind::kInvalidInput,
           fmt::format("--dest-compress-format: unsupported compression {:?} (gzip or zstd)",
                       compress_format));
    }
    options.compression = chosen;
  } else if (dest_compress) {
    options.compression = Compression::kGzip;
  }
  if (flags.changed("dest-compress-level")) {
    if (!options.compression) {
      fail(ErrorKind::kInvalidInput,
           "--dest-compress-level needs --dest-compress-format or --dest-compress");
    }
    int highest = *options.compression == Compression::kZstd ? 22 : 9;
    int lowest = *options.compression == Compression::kZstd ? 1 : 0;
    if (compress_level < lowest || compress_level > highest) {
      fail(ErrorKind::kInvalidInput,
           fmt::format("--dest-compress-level {}: {} levels are {} to {}", compress_level,
                       compression_name(*options.compression), lowest, highest));
    }
    options.compression_level = static_cast<int>(compress_level);
  }
  if (remove_signatures && !sign_by.empty()) {
    fail(ErrorKind::kInvalidInput, "cannot use --sign-by together with --remove-signatures");
  }
  transport::TransportRef from = image_name(positional[0], "source");
  transport::TransportRef to = image_name(positional[1], "destination");
  options.source_registry = source.options(flags, retry_times);
  options.destination_registry = destination.options(flags, retry_times);
  if (!quiet) {
    options.transfer.report = [](const std::string& line) { fmt::print(stderr, "{}\n", line); };
  }
  options.store = [&ctx]() -> store::Store& { return ctx.store(); };
  options.additional_stores = [&ctx] {
    std::vector<store::Store*> stores;
    for (const auto& extra : ctx.additional_stores()) stores.push_back(extra.get());
    return stores;
  };
  // Decrypted before anything moves: a wrong passphrase must not leave an unsigned copy.
  options.sigstore_key = load_signing_key(sigstore_key_file, passphrase_file);
  options.sign_by = sign_by;
  options.remove_signatures = remove_signatures;
  // Where signatures are written (signing, carried to docker://) and read (from docker://).
  bool carries = (from.transport == transport::Transport::kDocker ||
                  from.transport == transport::Transport::kDir) &&
                 !remove_signatures;
  if (options.sigstore_key || !sign_by.empty() || carries) {
    options.registries_d = copy::load_registries_d(ctx.options().registries_d);
  }
  std::shared_ptr<const trust::Policy> policy = command_policy(ctx, signature_policy);
  auto conf = registry::RegistriesConf::load();
  std::optional<artifacts::ReferrerCopy> carried;
  if (referrers) {
    if (options.format || options.compression) {
      fail(ErrorKind::kInvalidInput,
           "--referrers cannot be used with --format or --dest-compress*: the digest would change");
    }
    carried.emplace(from, to, conf, options);  // refuses a side that cannot hold referrers
    carried->attach(options);
  }
  copy::copy_image(policy.get(), from, to, conf, options);
  if (carried) carried->finish();
  return 0;
}

}  // namespace schicht::cli
