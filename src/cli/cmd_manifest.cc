// manifest create/add/annotate/remove/rm/exists/inspect/push: manifest lists and image indexes
// kept under names in the store (store/lists.h), as podman's `manifest` commands edit them.
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/manifest_lists.h"
#include "cli/passphrase.h"
#include "cli/report.h"
#include "copy/manifest_source.h"
#include "copy/push.h"
#include "copy/push_list.h"
#include "copy/short_names.h"
#include "copy/signatures.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/media_type.h"
#include "core/reference.h"
#include "oci/index.h"
#include "oci/manifest.h"
#include "registry/registries_conf.h"
#include "store/lookup.h"

namespace schicht::cli {
namespace {

std::map<std::string, std::string> parse_annotations(const std::vector<std::string>& given) {
  std::map<std::string, std::string> out;
  for (const auto& text : given) {
    size_t eq = text.find('=');
    if (eq == std::string::npos) {
      fail(ErrorKind::kInvalidInput, fmt::format("no value given for annotation {:?}", text));
    }
    out[text.substr(0, eq)] = text.substr(eq + 1);
  }
  return out;
}

// The platform and annotation flags `add` and `annotate` share.
struct EntryFlags {
  std::string os, arch, variant, os_version;
  std::vector<std::string> features, os_features, annotations;

  void add(FlagSet& flags) {
    flags.add_string("os", 0, &os, "override the operating system of the specified image");
    flags.add_string("arch", 0, &arch, "override the architecture of the specified image");
    flags.add_string("variant", 0, &variant, "override the Variant of the specified image");
    flags.add_string("os-version", 0, &os_version,
                     "override the OS version of the specified image");
    flags.add_strings("features", 0, &features,
                      "override the features of the specified image (ignored: Docker lists "
                      "as podman writes them drop them)");
    flags.add_strings("os-features", 0, &os_features,
                      "override the OS features of the specified image");
    flags.add_strings("annotation", 0, &annotations, "set an annotation for the specified image");
  }

  void apply(Descriptor& entry) const {
    Platform p = entry.platform.value_or(Platform{});
    if (!os.empty()) p.os = os;
    if (!arch.empty()) p.architecture = arch;
    if (!variant.empty()) p.variant = variant;
    if (!os_version.empty()) p.os_version = os_version;
    if (!os_features.empty()) p.os_features = os_features;
    entry.platform = p;
    if (!annotations.empty()) entry.annotations = parse_annotations(annotations);
  }
};

// The entry for a local image named as the user typed it.
Descriptor local_entry(store::Store& store, std::string_view text) {
  std::string_view bare = text;
  if (bare.starts_with("containers-storage:")) bare.remove_prefix(19);
  return local_list_entry(store, store::resolve_image(store, bare), text);
}

// What one IMAGE argument of `manifest create` or `add` puts into a list.
struct Additions {
  std::vector<Descriptor> entries;
  store::ListSources sources;  // for entries read from a registry
};

// The registry flags `create` and `add` share.
struct RemoteFlags {
  bool tls_verify = true;
  std::string cert_dir, authfile;

  void add(FlagSet& flags) {
    flags.add_bool("tls-verify", 0, &tls_verify,
                   "require HTTPS and verify certificates when accessing the registry (default "
                   "true)");
    flags.add_string("cert-dir", 0, &cert_dir,
                     "use certificates at the specified path to access the registry");
    flags.add_string("authfile", 0, &authfile, "path of the authentication file");
  }

  copy::TransferOptions options(const FlagSet& flags) const {
    copy::TransferOptions out;
    if (flags.changed("tls-verify")) out.registry.tls_verify = tls_verify;
    out.registry.cert_dir = cert_dir;
    out.registry.auth_file = authfile;
    return out;
  }
};

// A local image gives its entry. Anything else is read from a registry as podman does: a
// `docker://` reference, or a name with a registry host that is not in the store; it gives
// one entry, or with `all` every entry of a list.
Additions additions(store::Store& store, std::string_view text, bool all,
                    const PlatformChoice& choice, const copy::TransferOptions& options) {
  const bool remote = text.starts_with("docker://") ||
                      (!text.starts_with("containers-storage:") && has_explicit_domain(text) &&
                       !store::find_image(store, text));
  if (!remote) return {.entries = {local_entry(store, text)}};
  Reference reference = copy::parse_docker_name(text);
  Additions out{.entries = copy::remote_entries(reference, registry::RegistriesConf::load(),
                                                options, all, choice)};
  for (const Descriptor& entry : out.entries) {
    out.sources[entry.digest.str()] = reference.domain + "/" + reference.path;
  }
  return out;
}

Descriptor& entry_by_digest(Index& index, const std::string& text, const std::string& list) {
  Digest digest = with_context("parsing digest", [&] { return Digest::parse(text); });
  for (Descriptor& d : index.manifests) {
    if (d.digest == digest) return d;
  }
  fail(ErrorKind::kNotFound,
       fmt::format("removing from manifest list {}: no instance matching digest {:?} found in "
                   "manifest list: file does not exist",
                   list, text));
}

// Stores an edited list back under its name and prints its new ID, as podman does.
// `sources` says where instances came from; entries no longer in the list are dropped.
int write_back(store::Store& store, const store::ListInfo& list, const Index& index,
               const store::ListSources& sources) {
  fmt::print("{}\n", write_list(store, list.name, index, list.format, list.digest, sources).hex());
  return 0;
}

}  // namespace

int cmd_manifest_create(Context& ctx, CommandArgs args) {
  FlagSet flags;
  bool all = false, amend = false;
  std::vector<std::string> annotations;
  RemoteFlags remote;
  flags.add_bool("all", 0, &all, "add all of the lists' images if the images to add are lists");
  flags.add_bool("amend", 'a', &amend,
                 "modify an existing list if one with the desired name "
                 "already exists");
  flags.add_strings("annotation", 0, &annotations, "set an annotation on the list (schicht)");
  remote.add(flags);
  bool help = false;
  auto positional = parse_command_flags(ctx, flags, args,
                                        "schicht manifest create [options] LIST [IMAGE...]", &help);
  if (help) return 0;
  need_args(positional, 1, SIZE_MAX);
  store::Store& store = ctx.store();
  std::string name = images::list_name(positional[0]);
  Index index{.raw = "", .digest = Digest::sha256_of(""), .media_type = ""};
  std::string format(media_type::kDockerManifestList);
  std::optional<Digest> read;
  store::ListSources sources;
  if (auto existing = store::list_by_name(store, name)) {
    if (!amend) {
      fail(ErrorKind::kConflict,
           fmt::format("creating image to hold manifest list: image name {:?} is already "
                       "associated with image {:?}: that name is already in use",
                       name, existing->digest.hex()));
    }
    index = read_list(store, *existing);
    format = existing->format;
    read = existing->digest;
    sources = store::list_sources(store, existing->digest);
  }
  // Resolve every image before writing anything: a missing one leaves the store unchanged.
  copy::TransferOptions options = remote.options(flags);
  for (size_t i = 1; i < positional.size(); ++i) {
    Additions added = additions(store, positional[i], all, {}, options);
    for (Descriptor& entry : added.entries) upsert_entry(index, std::move(entry));
    for (auto& [instance, repository] : added.sources) sources[instance] = repository;
  }
  for (auto& [k, v] : parse_annotations(annotations)) index.annotations[k] = v;
  fmt::print("{}\n", write_list(store, name, index, format, read, sources).hex());
  return 0;
}

int cmd_manifest_add(Context& ctx, CommandArgs args) {
  FlagSet flags;
  EntryFlags entry_flags;
  entry_flags.add(flags);
  bool all = false;
  RemoteFlags remote;
  flags.add_bool("all", 0, &all, "add all of the list's images if the image is a list");
  remote.add(flags);
  bool help = false;
  auto positional =
      parse_command_flags(ctx, flags, args, "schicht manifest add [options] LIST IMAGE", &help);
  if (help) return 0;
  need_args(positional, 2, 2);
  store::Store& store = ctx.store();
  store::ListInfo list = images::resolve_list(store, positional[0]);
  Index index = read_list(store, list);
  Additions added = additions(
      store, positional[1], all,
      PlatformChoice{
          .os = entry_flags.os, .architecture = entry_flags.arch, .variant = entry_flags.variant},
      remote.options(flags));
  for (Descriptor& entry : added.entries) {
    entry_flags.apply(entry);
    upsert_entry(index, std::move(entry));
  }
  store::ListSources sources = store::list_sources(store, list.digest);
  for (auto& [instance, repository] : added.sources) sources[instance] = repository;
  return write_back(store, list, index, sources);
}

int cmd_manifest_annotate(Context& ctx, CommandArgs args) {
  FlagSet flags;
  EntryFlags entry_flags;
  entry_flags.add(flags);
  bool help = false;
  auto positional = parse_command_flags(ctx, flags, args,
                                        "schicht manifest annotate [options] LIST IMAGE", &help);
  if (help) return 0;
  need_args(positional, 2, 2);
  store::Store& store = ctx.store();
  store::ListInfo list = images::resolve_list(store, positional[0]);
  Index index = read_list(store, list);
  Digest digest = with_context("parsing digest", [&] { return Digest::parse(positional[1]); });
  Descriptor* found = nullptr;
  for (Descriptor& d : index.manifests) {
    if (d.digest == digest) found = &d;
  }
  if (found == nullptr) {
    fail(ErrorKind::kNotFound,
         fmt::format("no Docker manifest matching digest {:?} was found in list: no image "
                     "instance matching the specified digest was found in the list or index",
                     positional[1]));
  }
  entry_flags.apply(*found);
  return write_back(store, list, index, store::list_sources(store, list.digest));
}

int cmd_manifest_remove(Context& ctx, NoOptions& /*options*/, Invocation& invocation) {
  auto& positional = invocation.positional;
  need_args(positional, 2, 2);
  store::Store& store = ctx.store();
  store::ListInfo list = images::resolve_list(store, positional[0]);
  Index index = read_list(store, list);
  Descriptor& entry = entry_by_digest(index, positional[1], positional[0]);
  std::erase(index.manifests, entry);
  return write_back(store, list, index, store::list_sources(store, list.digest));
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

int cmd_manifest_inspect(Context& ctx, CommandArgs args) {
  FlagSet flags;
  bool help = false;
  RemoteFlags remote;
  remote.add(flags);
  flags.add_ignored("creds", 0, true);
  flags.add_ignored("verbose", 'v', false);
  auto positional = parse_command_flags(ctx, flags, args, "schicht manifest inspect LIST", &help);
  if (help) return 0;
  need_args(positional, 1, 1);
  store::Store& store = ctx.store();
  const std::string& text = positional[0];
  if (!text.starts_with("docker://")) {
    if (auto list = images::find_list(store, text)) {
      fmt::print("{}", json_report(inspect_json(read_list(store, *list), list->format)));
      return 0;
    }
    // Only a name with a registry host is looked up remotely: a short name is a local list.
    if (!has_explicit_domain(text)) images::resolve_list(store, text);
  }
  // A list in a registry is shown as podman shows it: as the Docker list it would build.
  Reference reference = copy::parse_docker_name(text);
  registry::Manifest manifest =
      copy::remote_manifest(reference, registry::RegistriesConf::load(), remote.options(flags));
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
  fmt::print("{}", json_report(inspect_json(index, media_type::kDockerManifestList)));
  return 0;
}

int cmd_manifest_push(Context& ctx, ManifestPushOptions& parsed, Invocation& invocation) {
  auto& [all, quiet, rm, tls_verify, format, digestfile, cert_dir, authfile, sigstore_key_file,
         sign_passphrase_file, sign_by] = parsed;
  const FlagSet& flags = invocation.flags;
  auto& positional = invocation.positional;
  need_args(positional, 2, 2);
  std::string wanted =
      format.empty() ? ""
                     : std::string(copy::parse_manifest_format(format) == copy::ManifestFormat::kOci
                                       ? media_type::kOciIndex
                                       : media_type::kDockerManifestList);
  store::Store& store = ctx.store();
  store::ListInfo list = images::resolve_list(store, positional[0]);
  // podman 4.3 shows a list it built as a Docker list but pushes it as an OCI index (c/image
  // keeps both forms); a pulled list goes as it came.
  if (wanted.empty()) {
    wanted = list.media_type == list.format ? list.format : std::string(media_type::kOciIndex);
  }
  Index index = read_list(store, list);
  std::string bytes = list_bytes(store, list, wanted);

  copy::PushOptions options;
  options.sigstore_key = load_signing_key(sigstore_key_file, sign_passphrase_file);
  options.sign_by = sign_by;
  if (options.sigstore_key || !sign_by.empty()) {
    options.registries_d = copy::load_registries_d(ctx.options().registries_d);
  }
  if (flags.changed("tls-verify")) options.registry.tls_verify = tls_verify;
  options.registry.cert_dir = cert_dir;
  options.registry.auth_file = authfile;
  if (!quiet) options.report = [](const std::string& line) { fmt::print(stderr, "{}\n", line); };
  Reference target = copy::parse_docker_name(positional[1]);
  registry::RegistriesConf conf = registry::RegistriesConf::load();
  Digest pushed =
      copy::push_list(store, bytes, wanted, index.manifests,
                      store::list_sources(store, list.digest), all, target, conf, options);
  if (!digestfile.empty()) write_file_atomic(digestfile, pushed.str(), 0644);
  if (rm) store::remove_list(store, list.name);
  return 0;
}

}  // namespace schicht::cli
