// image sync: skopeo sync, every image of a repository, a directory of dir: layouts or a YAML
// list to a registry or a directory (copy/sync.h); only what is missing is copied.
#include <cstdio>
#include <string>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/policy.h"
#include "cli/registry_command_options.h"
#include "cli/side_registry_flags.h"
#include "copy/copy_request.h"
#include "copy/signatures.h"
#include "copy/sync.h"
#include "core/error.h"
#include "registry/registries_conf.h"
#include "trust/passphrase.h"

namespace schicht::cli {

int cmd_image_sync(Context& ctx, ImageSyncOptions& parsed, Invocation& invocation) {
  auto& [source_kind, destination_kind, format, signature_policy, all, scoped, dry_run, keep_going,
         preserve_digests, retry_times, source, destination, sign_by, sigstore_key_file,
         passphrase_file, remove_signatures] = parsed;
  const FlagSet& flags = invocation.flags;
  auto& positional = invocation.positional;
  if (positional.size() != 2) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("Exactly two arguments expected, received {}", positional.size()));
  }
  if (source_kind.empty()) fail(ErrorKind::kInvalidInput, "A source transport must be specified");
  if (destination_kind.empty()) {
    fail(ErrorKind::kInvalidInput, "A destination transport must be specified");
  }
  copy::SyncOptions options;
  options.source = copy::parse_sync_source(source_kind);
  options.destination = copy::parse_sync_destination(destination_kind);
  options.scoped = scoped;
  options.dry_run = dry_run;
  options.keep_going = keep_going;
  copy::check_signing_choices(remove_signatures, sign_by);
  copy::CopyOptions& copy = options.copy;
  copy.multi_arch = all ? copy::MultiArch::kAll : copy::MultiArch::kSystem;
  copy.preserve_digests = preserve_digests;
  if (!format.empty()) copy.format = copy::parse_manifest_format(format);
  copy.source_registry = source.options(flags, retry_times);
  copy.destination_registry = destination.options(flags, retry_times);
  copy.transfer.report = [](const std::string& line) { fmt::print(stderr, "{}\n", line); };
  copy.store = [&ctx]() -> store::Store& { return ctx.store(); };
  // Decrypted before anything moves: a wrong passphrase must not leave unsigned copies.
  copy.sigstore_key = trust::load_signing_key(sigstore_key_file, passphrase_file);
  copy.sign_by = sign_by;
  copy.remove_signatures = remove_signatures;
  // Signatures are carried from registry and dir: sources alike.
  if (copy.sigstore_key || !sign_by.empty() || !remove_signatures) {
    copy.registries_d = copy::load_registries_d(ctx.options().registries_d);
  }
  std::shared_ptr<const trust::Policy> policy = command_policy(ctx, signature_policy);
  registry::RegistriesConf conf = registry::RegistriesConf::load();
  std::vector<copy::SyncSet> plan = copy::plan_sync(positional[0], positional[1], options, conf);
  copy::run_sync(policy.get(), plan, conf, options);
  return 0;
}

}  // namespace schicht::cli
