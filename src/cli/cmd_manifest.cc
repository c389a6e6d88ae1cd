// manifest create/add/annotate/remove/rm/exists/inspect/push: manifest lists and image indexes
// kept under names in the store (store/lists.h), as podman's `manifest` commands edit them.
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/manifest_command_options.h"
#include "cli/registry_command_options.h"
#include "cli/registry_flags.h"
#include "cli/render.h"
#include "copy/manifest_source.h"
#include "copy/pull_up.h"
#include "copy/push.h"
#include "copy/push_list.h"
#include "copy/short_names.h"
#include "copy/signatures.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/media_type.h"
#include "core/reference.h"
#include "images/manifest_edit.h"
#include "images/manifest_list.h"
#include "oci/index.h"
#include "oci/manifest.h"
#include "registry/registries_conf.h"
#include "store/lookup.h"
#include "trust/passphrase.h"

namespace schicht::cli {
namespace {

// The platform and annotation flags on a list's entry.
void apply_entry_flags(const ManifestEntryFlags& flags, Descriptor& entry) {
  Platform p = entry.platform.value_or(Platform{});
  if (!flags.os.empty()) p.os = flags.os;
  if (!flags.arch.empty()) p.architecture = flags.arch;
  if (!flags.variant.empty()) p.variant = flags.variant;
  if (!flags.os_version.empty()) p.os_version = flags.os_version;
  if (!flags.os_features.empty()) p.os_features = flags.os_features;
  entry.platform = p;
  if (!flags.annotations.empty()) entry.annotations = images::parse_annotations(flags.annotations);
}

// A local image, in the primary store or an additional one. A list's instances live in the
// list's store: an image only an additional store has is pulled up (copy/pull_up.h) once every
// argument is resolved, before the list is written.
images::ListAdditions local_additions(Context& ctx, std::string_view text) {
  std::string_view bare = text;
  if (bare.starts_with("containers-storage:")) bare.remove_prefix(19);
  Context::StoredImage image = ctx.resolve_image(bare);
  images::ListAdditions out{.entries = {images::local_list_entry(*image.store, image.id, text)}};
  if (image.read_only()) {
    out.before_write = [&ctx, image] { copy::pull_up_image(ctx.store(), *image.store, image.id); };
  }
  return out;
}

// The registry flags as the copy options; --tls-verify only when given.
copy::TransferOptions transfer_options(const ManifestRemoteFlags& remote, const FlagSet& flags) {
  copy::TransferOptions out;
  if (flags.changed("tls-verify")) out.registry.tls_verify = remote.tls_verify;
  out.registry.cert_dir = remote.cert_dir;
  out.registry.auth_file = remote.authfile;
  return out;
}

// A local image gives its entry. Anything else is read from a registry as podman does: a
// `docker://` reference, or a name with a registry host that is not in the store; it gives
// one entry, or with `all` every entry of a list.
images::ResolveAdditions additions(Context& ctx, bool all, const PlatformChoice& choice,
                                   const copy::TransferOptions& options) {
  return [&ctx, all, choice, options](std::string_view text) {
    const bool remote =
        text.starts_with("docker://") || (!text.starts_with("containers-storage:") &&
                                          has_explicit_domain(text) && !ctx.find_image(text));
    if (!remote) return local_additions(ctx, text);
    Reference reference = copy::parse_docker_name(text);
    images::ListAdditions out{
        .entries =
            copy::remote_entries(reference, registry::RegistriesConf::load(), options, all, choice),
        .sources = {}};
    for (const Descriptor& entry : out.entries) {
      out.sources[entry.digest.str()] = reference.domain + "/" + reference.path;
    }
    return out;
  };
}

// The media type --format asks for; empty: the list's own (images/manifest_edit.h).
std::string list_media_type(const std::string& format) {
  if (format.empty()) return "";
  return std::string(copy::parse_manifest_format(format) == copy::ManifestFormat::kOci
                         ? media_type::kOciIndex
                         : media_type::kDockerManifestList);
}

// podman prints an edited list's new ID.
int print_id(const Digest& list) {
  fmt::print("{}\n", list.hex());
  return 0;
}

}  // namespace

int cmd_manifest_create(Context& ctx, ManifestCreateOptions& parsed, Invocation& invocation) {
  auto& [all, amend, annotations, remote] = parsed;
  const auto& positional = invocation.positional;
  need_args(positional, 1, SIZE_MAX);
  store::Store& store = ctx.store();
  // Every image is resolved before anything is written: a missing one leaves the store as it was.
  std::vector<std::string> images(positional.begin() + 1, positional.end());
  return print_id(images::create_list(
      store, images::list_name(positional[0]), amend, images,
      additions(ctx, all, {}, transfer_options(remote, invocation.flags)), annotations));
}

int cmd_manifest_add(Context& ctx, ManifestAddOptions& parsed, Invocation& invocation) {
  auto& [entry_flags, all, remote] = parsed;
  const auto& positional = invocation.positional;
  need_args(positional, 2, 2);
  store::Store& store = ctx.store();
  store::ListInfo list = images::resolve_list(store, positional[0]);
  PlatformChoice choice{
      .os = entry_flags.os, .architecture = entry_flags.arch, .variant = entry_flags.variant};
  return print_id(images::add_entries(
      store, list, positional[1],
      additions(ctx, all, choice, transfer_options(remote, invocation.flags)),
      // An init-capture: clang 14 cannot capture a structured binding.
      [&entry_flags = entry_flags](Descriptor& entry) { apply_entry_flags(entry_flags, entry); }));
}

int cmd_manifest_annotate(Context& ctx, ManifestAnnotateOptions& parsed, Invocation& invocation) {
  const auto& positional = invocation.positional;
  need_args(positional, 2, 2);
  store::Store& store = ctx.store();
  store::ListInfo list = images::resolve_list(store, positional[0]);
  return print_id(images::annotate_entry(store, list, positional[1], [&](Descriptor& entry) {
    apply_entry_flags(parsed.entry, entry);
  }));
}

int cmd_manifest_remove(Context& ctx, NoOptions& /*options*/, Invocation& invocation) {
  auto& positional = invocation.positional;
  need_args(positional, 2, 2);
  store::Store& store = ctx.store();
  store::ListInfo list = images::resolve_list(store, positional[0]);
  return print_id(images::remove_entry(store, list, positional[1], positional[0]));
}

int cmd_manifest_rm(Context& ctx, NoOptions& /*options*/, Invocation& invocation) {
  auto& positional = invocation.positional;
  need_args(positional, 1, SIZE_MAX);
  store::Store& store = ctx.store();
  int rc = 0;
  for (const auto& text : positional) {
    auto list = images::find_list(store, text);
    if (!list) {
      fmt::print(stderr, "Error: {}: image not known\n", text);
      rc = 1;
      continue;
    }
    store::remove_list(store, list->name);
    fmt::print("Untagged: {}\nDeleted: {}\n", list->name, list->digest.hex());
  }
  return rc;
}

int cmd_manifest_exists(Context& ctx, NoOptions& /*options*/, Invocation& invocation) {
  auto& positional = invocation.positional;
  need_args(positional, 1, 1);
  return images::find_list(ctx.store(), positional[0]) ? 0 : 1;
}

int cmd_manifest_inspect(Context& ctx, ManifestInspectOptions& parsed, Invocation& invocation) {
  const auto& positional = invocation.positional;
  need_args(positional, 1, 1);
  store::Store& store = ctx.store();
  const std::string& text = positional[0];
  if (!text.starts_with("docker://")) {
    if (auto list = images::find_list(store, text)) {
      fmt::print("{}",
                 json_report(images::inspect_json(images::read_list(store, *list), list->format)));
      return 0;
    }
    // Only a name with a registry host is looked up remotely: a short name is a local list.
    if (!has_explicit_domain(text)) images::resolve_list(store, text);
  }
  // A list in a registry is shown as podman shows it: as the Docker list it would build.
  Reference reference = copy::parse_docker_name(text);
  registry::Manifest manifest =
      copy::remote_manifest(reference, registry::RegistriesConf::load(),
                            transfer_options(parsed.remote, invocation.flags));
  std::string type = detect_manifest_type(manifest.bytes, manifest.media_type);
  std::string source = "docker://" + reference.str();
  if (!media_type::is_index(type)) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("parsing manifest of {} as a {:?}: treating single images as manifest lists "
                     "is not implemented",
                     source, type));
  }
  Index index = with_context("reading manifest list " + source,
                             [&] { return parse_index(std::move(manifest.bytes), type); });
  fmt::print("{}", json_report(images::inspect_json(index, media_type::kDockerManifestList)));
  return 0;
}

int cmd_manifest_push(Context& ctx, ManifestPushOptions& parsed, Invocation& invocation) {
  auto& [all, quiet, rm, format, digestfile, registry, remove_signatures, sigstore_key_file,
         sign_passphrase_file, sign_by] = parsed;
  const FlagSet& flags = invocation.flags;
  auto& positional = invocation.positional;
  need_args(positional, 2, 2);
  std::string wanted = list_media_type(format);
  store::Store& store = ctx.store();
  store::ListInfo list = images::resolve_list(store, positional[0]);
  images::ListToPush push = images::list_to_push(store, list, wanted);
  copy::PushOptions options;
  options.sigstore_key = trust::load_signing_key(sigstore_key_file, sign_passphrase_file);
  options.sign_by = sign_by;
  if (options.sigstore_key || !sign_by.empty()) {
    options.registries_d = copy::load_registries_d(ctx.options().registries_d);
  }
  registry.check_authfile();
  options.registry = registry.options(flags);
  if (!quiet) options.report = [](const std::string& line) { fmt::print(stderr, "{}\n", line); };
  if (!format.empty()) options.format = copy::parse_manifest_format(format);
  Digest pushed = copy::push_list(store, "containers-storage:" + list.name, push.bytes,
                                  push.media_type, store::list_sources(store, list.digest), all,
                                  copy::parse_docker_name(positional[1]),
                                  registry::RegistriesConf::load(), options);
  if (!digestfile.empty()) write_file_atomic(digestfile, pushed.str(), 0644);
  if (rm) store::remove_list(store, list.name);
  return 0;
}

}  // namespace schicht::cli
