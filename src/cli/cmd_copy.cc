// image copy: skopeo's copy, from any transport to any other, through copy::copy_image.
#include <cstdio>
#include <string>

#include <fmt/format.h>

#include "artifacts/copy_referrers.h"
#include "cli/commands.h"
#include "cli/passphrase.h"
#include "cli/policy.h"
#include "cli/side_registry_flags.h"
#include "copy/copy_image.h"
#include "copy/copy_request.h"
#include "copy/short_names.h"
#include "copy/signatures.h"
#include "core/error.h"
#include "registry/registries_conf.h"

namespace schicht::cli {
int cmd_image_copy(Context& ctx, CommandArgs args) {
  FlagSet flags;
  bool all = false, preserve_digests = false, quiet = false;
  std::string multi_arch, signature_policy;
  int64_t retry_times = 0;
  SideFlags source{.prefix = "src"}, destination{.prefix = "dest"};
  flags.add_bool("all", 'a', &all, "Copy all images if SOURCE-IMAGE is a list");
  flags.add_string("multi-arch", 0, &multi_arch,
                   "How to handle multi-architecture images (system, all, or index-only)");
  flags.add_bool("preserve-digests", 0, &preserve_digests, "Preserve digests of images and lists");
  flags.add_bool("quiet", 'q', &quiet, "Suppress output information when copying images");
  bool referrers = false;
  flags.add_bool("referrers", 0, &referrers,
                 "Also copy the artifacts that refer to the image (docker:// to docker://)");
  flags.add_int("retry-times", 0, &retry_times, "The number of times to possibly retry");
  flags.add_string("signature-policy", 0, &signature_policy, "Path to a signature-policy file");
  std::string format, compress_format, sign_by, sigstore_key_file, passphrase_file;
  bool dest_compress = false, remove_signatures = false;
  int64_t compress_level = 0;
  flags.add_string("format", 'f', &format,
                   "MANIFEST TYPE (oci or v2s2) to use in the destination (default is manifest "
                   "type of source)");
  flags.add_bool("dest-compress", 0, &dest_compress,
                 "Compress uncompressed layers (gzip unless --dest-compress-format says)");
  flags.add_string("dest-compress-format", 0, &compress_format,
                   "FORMAT (gzip or zstd) to recompress layers in");
  flags.add_int("dest-compress-level", 0, &compress_level, "LEVEL to use for the compression");
  flags.add_bool("remove-signatures", 0, &remove_signatures,
                 "Do not copy signatures from SOURCE-IMAGE");
  flags.add_string("sign-by", 0, &sign_by,
                   "Sign the image using a GPG key with the specified FINGERPRINT");
  flags.add_string("sign-by-sigstore-private-key", 0, &sigstore_key_file,
                   "Sign the image using a sigstore private key at PATH");
  flags.add_string("sign-passphrase-file", 0, &passphrase_file,
                   "Read a passphrase for signing an image from PATH");
  source.add(flags, "source");
  destination.add(flags, "destination");
  bool help = false;
  auto positional = parse_command_flags(
      ctx, flags, args, "schicht image copy [options] SOURCE-IMAGE DESTINATION-IMAGE", &help);
  if (help) return 0;
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
  copy::settle_recompression(
      compress_format, dest_compress,
      flags.changed("dest-compress-level") ? std::optional<int64_t>(compress_level) : std::nullopt,
      options);
  copy::check_signing_choices(remove_signatures, sign_by);
  transport::TransportRef from = copy::parse_copy_name(positional[0], "source");
  transport::TransportRef to = copy::parse_copy_name(positional[1], "destination");
  options.source_registry = source.options(flags, retry_times);
  options.destination_registry = destination.options(flags, retry_times);
  if (!quiet) {
    options.transfer.report = [](const std::string& line) { fmt::print(stderr, "{}\n", line); };
  }
  options.store = [&ctx]() -> store::Store& { return ctx.store(); };
  // Decrypted before anything moves: a wrong passphrase must not leave an unsigned copy.
  options.sigstore_key = load_signing_key(sigstore_key_file, passphrase_file);
  options.sign_by = sign_by;
  options.remove_signatures = remove_signatures;
  if (copy::copy_needs_registries_d(from, options)) {
    options.registries_d = copy::load_registries_d(ctx.options().registries_d);
  }
  std::shared_ptr<const trust::Policy> policy = command_policy(ctx, signature_policy);
  if (referrers) copy::check_referrers_copy(from, to, options);
  auto conf = registry::RegistriesConf::load();
  copy::copy_image(policy.get(), from, to, conf, options);
  if (referrers) {
    artifacts::copy_referrers(copy::parse_docker_name(from.rest), options.source_registry,
                              copy::parse_docker_name(to.rest), options.destination_registry, conf,
                              options.transfer.report);
  }
  return 0;
}

}  // namespace schicht::cli
