// image copy: skopeo's copy, from any transport to any other, through copy::copy_image.
#include <cstdio>
#include <string>

#include <fmt/format.h>

#include "artifacts/copy_referrers.h"
#include "cli/commands.h"
#include "cli/policy.h"
#include "cli/registry_command_options.h"
#include "cli/side_registry_flags.h"
#include "copy/copy_image.h"
#include "copy/copy_request.h"
#include "copy/short_names.h"
#include "copy/signatures.h"
#include "core/error.h"
#include "registry/registries_conf.h"
#include "trust/passphrase.h"

namespace schicht::cli {

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
  options.additional_stores = [&ctx] {
    std::vector<store::Store*> stores;
    for (const auto& extra : ctx.additional_stores()) stores.push_back(extra.get());
    return stores;
  };
  // Decrypted before anything moves: a wrong passphrase must not leave an unsigned copy.
  options.sigstore_key = trust::load_signing_key(sigstore_key_file, passphrase_file);
  options.sign_by = sign_by;
  options.remove_signatures = remove_signatures;
  if (copy::copy_needs_registries_d(from, options)) {
    options.registries_d = copy::load_registries_d(ctx.options().registries_d);
  }
  std::shared_ptr<const trust::Policy> policy = command_policy(ctx, signature_policy);
  auto conf = registry::RegistriesConf::load();
  std::optional<artifacts::ReferrerCopy> carried;
  if (referrers) {
    copy::check_referrers_copy(options);
    carried.emplace(from, to, conf, options);  // refuses a side that cannot hold referrers
    carried->attach(options);
  }
  copy::copy_image(policy.get(), from, to, conf, options);
  if (carried) carried->finish();
  return 0;
}

}  // namespace schicht::cli
