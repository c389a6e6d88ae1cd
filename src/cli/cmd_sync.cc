// image sync: skopeo sync, every image of a repository, a directory of dir: layouts or a YAML
// list to a registry or a directory (copy/sync.h); only what is missing is copied.
#include <cstdio>
#include <string>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/passphrase.h"
#include "cli/policy.h"
#include "cli/side_registry_flags.h"
#include "copy/copy_request.h"
#include "copy/signatures.h"
#include "copy/sync.h"
#include "core/error.h"
#include "registry/registries_conf.h"

namespace schicht::cli {

int cmd_image_sync(Context& ctx, CommandArgs args) {
  FlagSet flags;
  std::string source_kind, destination_kind, format, signature_policy;
  bool all = false, scoped = false, dry_run = false, keep_going = false, preserve_digests = false;
  int64_t retry_times = 0;
  SideFlags source{.prefix = "src"}, destination{.prefix = "dest"};
  flags.add_string("src", 's', &source_kind, "SOURCE transport type (docker, dir or yaml)");
  flags.add_string("dest", 'd', &destination_kind, "DESTINATION transport type (docker or dir)");
  flags.add_bool("all", 'a', &all, "Copy all images if SOURCE-IMAGE is a list");
  flags.add_bool("scoped", 0, &scoped,
                 "Images at DESTINATION are prefix using the full source image path as scope");
  flags.add_bool("dry-run", 0, &dry_run, "Run without actually copying data");
  flags.add_bool("keep-going", 0, &keep_going, "Do not abort the sync if any image copy fails");
  flags.add_bool("preserve-digests", 0, &preserve_digests, "Preserve digests of images and lists");
  flags.add_string("format", 'f', &format,
                   "MANIFEST TYPE (oci or v2s2) to use when syncing image(s) to a destination "
                   "(default is manifest type of source)");
  flags.add_int("retry-times", 0, &retry_times, "The number of times to possibly retry");
  flags.add_string("signature-policy", 0, &signature_policy, "Path to a signature-policy file");
  std::string sign_by, sigstore_key_file, passphrase_file;
  bool remove_signatures = false;
  flags.add_bool("remove-signatures", 0, &remove_signatures,
                 "Do not copy signatures from SOURCE images");
  flags.add_string("sign-by", 0, &sign_by,
                   "Sign the image using a GPG key with the specified FINGERPRINT");
  flags.add_string("sign-by-sigstore-private-key", 0, &sigstore_key_file,
                   "Sign the image using a sigstore private key at PATH");
  flags.add_string("sign-passphrase-file", 0, &passphrase_file,
                   "File that contains a passphrase for the --sign-by key");
  source.add(flags, "source");
  destination.add(flags, "destination");
  bool help = false;
  auto positional = parse_command_flags(
      ctx, flags, args,
      "schicht image sync [options] --src TRANSPORT --dest TRANSPORT SOURCE DESTINATION", &help);
  if (help) return 0;
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
  copy.sigstore_key = load_signing_key(sigstore_key_file, passphrase_file);
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
