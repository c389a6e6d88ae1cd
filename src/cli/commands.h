// The command table: every command schicht offers, and the functions that run them.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "cli/context.h"
#include "serve/options.h"

namespace schicht::cli {

// The options of declared commands (command_table.cc binds their flags to the members; the
// defaults are the members' initializers). A command without flags of its own has NoOptions.
struct NoOptions {};
struct ImageSyncOptions;         // registry_command_options.h
struct ImageCopyOptions;         // registry_command_options.h
struct ImageSbomOptions;         // registry_command_options.h
struct SearchOptions;            // registry_command_options.h
struct PullOptions;              // registry_command_options.h
struct PushOptions;              // registry_command_options.h
struct ManifestPushOptions;      // registry_command_options.h
struct LoginOptions;             // registry_command_options.h
struct ManifestCreateOptions;    // manifest_command_options.h
struct ManifestAddOptions;       // manifest_command_options.h
struct ManifestAnnotateOptions;  // manifest_command_options.h
struct ManifestInspectOptions;   // manifest_command_options.h
struct ArtifactRemoteFlags;      // registry_command_options.h
struct ArtifactAttachOptions;    // registry_command_options.h
struct ArtifactDiscoverOptions;  // registry_command_options.h
struct BuildCommandOptions;      // build_command_options.h
struct ImportOptions {
  std::vector<std::string> changes;
  std::string message;
  bool quiet = false;
  std::string os;
  std::string arch;
  std::string variant;
  std::string signature_policy;
};
// The flags image prune and system prune share.
struct PruneFlags {
  std::vector<std::string> filters;
  bool dry_run = false;
  std::string keep_last;
  std::string max_size;
};
struct ImagePruneOptions {
  bool all = false;
  bool force = false;
  bool external = false;
  bool build_cache = false;
  PruneFlags prune;
};
struct SystemPruneOptions {
  bool all = false;
  bool force = false;
  bool volumes = false;
  bool external = false;
  PruneFlags prune;
};
struct SystemCheckOptions {
  bool quick = false;
  bool repair = false;
  bool force = false;
  std::string max;
  bool recover = false;
};
// serve's flags, with serve::ServeOptions' defaults (cmd_serve fills those from these).
struct ServeCommandOptions {
  std::string access_log;
  std::vector<std::string> allow;
  std::string cert;
  std::string htpasswd;
  std::string key;
  std::string listen = serve::ServeOptions{}.listen;
  std::vector<std::string> mirror_of;
  int64_t threads = serve::ServeOptions{}.threads;
};
struct TrustShowOptions {
  std::string policy_file;
  bool json = false;
  bool raw = false;
  bool noheading = false;
};
struct TrustSetOptions {
  std::string policy_file;
  std::string type = "signedBy";
  std::vector<std::string> keys;
};
struct TrustExplainOptions {
  std::string signature_policy;
  bool tls_verify = true;
  std::string cert_dir;
  std::string authfile;
  bool policy_only = false;
};
struct CompletionOptions {
  std::string file;
  bool no_desc = false;
};
struct VersionOptions {
  std::string format;
};
struct UnshareOptions {
  bool rootless_netns = false;
};
struct ImageTreeOptions {
  bool whatrequires = false;
  bool referrers = false;
};
struct ImageTagLogOptions {
  std::string format;
  bool no_trunc = false;
  bool noheading = false;
};
struct SystemDfOptions {
  bool verbose = false;
  std::string format;
};
struct GenerateSigstoreKeyOptions {
  std::string prefix;
  std::string passphrase_file;
};
struct ImageSignOptions {
  std::string sign_by;
  std::string directory;
  std::string cert_dir;
  std::string authfile;
  bool all = false;
};
struct LogoutOptions {
  std::string authfile;
  bool all = false;
};
struct ImageMountOptions {
  std::string format;
};
struct ImageUnmountOptions {
  bool all = false;
  bool force = false;
};
struct InspectOptions {
  std::string format;
  std::string type = "all";
  bool size = false;
  bool latest = false;
};
struct ImageInspectOptions {
  std::string format;
};
struct HistoryOptions {
  std::string format;
  bool human = true;
  bool no_trunc = false;
  bool quiet = false;
};
struct InfoOptions {
  std::string format;
};
struct ImagesOptions {
  bool all = false;
  bool quiet = false;
  bool no_trunc = false;
  bool noheading = false;
  bool digests = false;
  bool names_history = false;
  std::string format;
  std::string sort = "created";
  std::vector<std::string> filters;
};
struct EventsOptions {
  std::vector<std::string> filters;
  std::string format;
  std::string since;
  std::string until;
  bool no_trunc = true;
  bool stream = true;
};
struct ImageDiffOptions {
  std::string format;
};
struct CreateOptions {
  std::string name;
};
struct PsOptions {
  bool all = false;
  bool quiet = false;
  bool no_trunc = false;
  bool noheading = false;
  bool size = false;
  std::string format;
  bool external = false;
};
struct RmOptions {
  bool all = false;
  bool force = false;
  bool ignore = false;
  bool volumes = false;
  uint64_t stop_timeout = 10;
};
struct ContainerInspectOptions {
  std::string format;
  bool latest = false;
};
struct ArtifactLsOptions {
  bool noheading = false;
  bool no_trunc = false;
  std::string format;
};
struct ArtifactExtractOptions {
  std::string digest;
  std::string title;
};
struct ArtifactAddOptions {
  std::vector<std::string> annotations;
  bool append = false;
  bool replace = false;
  std::string type;
  std::string file_type;
  std::string subject;
};
// --remote-command unset: $SCHICHT_REMOTE_COMMAND, else schicht.
struct ImageScpOptions {
  bool quiet = false;
  std::string remote_command;
};
struct ArtifactRmOptions {
  bool all = false;
};
struct LoadOptions {
  std::string input;
  bool quiet = false;
  bool referrers = false;
  std::string signature_policy;
};
struct SaveOptions {
  std::string output;
  std::string format = "docker-archive";
  std::string multi_arch = "system";
  bool multi = false;
  bool quiet = false;
  bool compress = false;
  bool uncompressed = false;
  bool referrers = false;
};
struct ImageAnalyzeOptions {
  std::string format;
  std::string lowest;
  std::string highest;
};
struct RmiOptions {
  bool all = false, force = false, ignore = false, no_prune = false;
};

int cmd_load(Context& ctx, LoadOptions& options, Invocation& invocation);
int cmd_save(Context& ctx, SaveOptions& options, Invocation& invocation);
int cmd_import(Context& ctx, ImportOptions& options, Invocation& invocation);
int cmd_build(Context& ctx, BuildCommandOptions& options, Invocation& invocation);
int cmd_images(Context& ctx, ImagesOptions& options, Invocation& invocation);
int cmd_version(Context& ctx, VersionOptions& options, Invocation& invocation);
int cmd_info(Context& ctx, InfoOptions& options, Invocation& invocation);
int cmd_events(Context& ctx, EventsOptions& options, Invocation& invocation);
int cmd_tag(Context& ctx, NoOptions& options, Invocation& invocation);
int cmd_untag(Context& ctx, NoOptions& options, Invocation& invocation);
int cmd_rmi(Context& ctx, RmiOptions& options, Invocation& invocation);
int cmd_image_exists(Context& ctx, NoOptions& options, Invocation& invocation);
int cmd_image_diff(Context& ctx, ImageDiffOptions& options, Invocation& invocation);
int cmd_image_sbom(Context& ctx, ImageSbomOptions& options, Invocation& invocation);
int cmd_inspect(Context& ctx, InspectOptions& options, Invocation& invocation);
int cmd_search(Context& ctx, SearchOptions& options, Invocation& invocation);
int cmd_serve(Context& ctx, ServeCommandOptions& options, Invocation& invocation);
int cmd_unshare(Context& ctx, UnshareOptions& options, Invocation& invocation);
int cmd_image_inspect(Context& ctx, ImageInspectOptions& options, Invocation& invocation);
// What inspect, image inspect and container inspect share: every object of `names` found as
// `type` ("all", "image", "container", ...) printed, then podman's errors; the exit code.
// `latest`: the container created last instead of names.
int inspect_objects(Context& ctx, const std::vector<std::string>& names, const std::string& format,
                    const std::string& type, bool latest);
int cmd_history(Context& ctx, HistoryOptions& options, Invocation& invocation);
int cmd_pull(Context& ctx, PullOptions& options, Invocation& invocation);
int cmd_push(Context& ctx, PushOptions& options, Invocation& invocation);
int cmd_login(Context& ctx, LoginOptions& options, Invocation& invocation);
int cmd_logout(Context& ctx, LogoutOptions& options, Invocation& invocation);
int cmd_image_prune(Context& ctx, ImagePruneOptions& options, Invocation& invocation);
int cmd_image_tree(Context& ctx, ImageTreeOptions& options, Invocation& invocation);
int cmd_image_mount(Context& ctx, ImageMountOptions& options, Invocation& invocation);
int cmd_image_analyze(Context& ctx, ImageAnalyzeOptions& options, Invocation& invocation);
int cmd_image_copy(Context& ctx, ImageCopyOptions& options, Invocation& invocation);
int cmd_image_sync(Context& ctx, ImageSyncOptions& options, Invocation& invocation);
int cmd_image_scp(Context& ctx, ImageScpOptions& options, Invocation& invocation);
int cmd_image_unmount(Context& ctx, ImageUnmountOptions& options, Invocation& invocation);
int cmd_image_tag_log(Context& ctx, ImageTagLogOptions& options, Invocation& invocation);
int cmd_image_rollback(Context& ctx, NoOptions& options, Invocation& invocation);
int cmd_create(Context& ctx, CreateOptions& options, Invocation& invocation);
int cmd_ps(Context& ctx, PsOptions& options, Invocation& invocation);
int cmd_rm(Context& ctx, RmOptions& options, Invocation& invocation);
int cmd_container_exists(Context& ctx, NoOptions& options, Invocation& invocation);
int cmd_container_inspect(Context& ctx, ContainerInspectOptions& options, Invocation& invocation);
int cmd_system_prune(Context& ctx, SystemPruneOptions& options, Invocation& invocation);
int cmd_system_df(Context& ctx, SystemDfOptions& options, Invocation& invocation);
int cmd_system_check(Context& ctx, SystemCheckOptions& options, Invocation& invocation);
int cmd_manifest_create(Context& ctx, ManifestCreateOptions& options, Invocation& invocation);
int cmd_manifest_add(Context& ctx, ManifestAddOptions& options, Invocation& invocation);
int cmd_manifest_annotate(Context& ctx, ManifestAnnotateOptions& options, Invocation& invocation);
int cmd_manifest_remove(Context& ctx, NoOptions& options, Invocation& invocation);
int cmd_manifest_rm(Context& ctx, NoOptions& options, Invocation& invocation);
int cmd_manifest_exists(Context& ctx, NoOptions& options, Invocation& invocation);
int cmd_manifest_inspect(Context& ctx, ManifestInspectOptions& options, Invocation& invocation);
int cmd_manifest_push(Context& ctx, ManifestPushOptions& options, Invocation& invocation);
// skopeo's generate-sigstore-key.
int cmd_generate_sigstore_key(Context& ctx, GenerateSigstoreKeyOptions& options,
                              Invocation& invocation);
// `image sign`: GPG simple signatures for images in a registry.
int cmd_image_sign(Context& ctx, ImageSignOptions& options, Invocation& invocation);
int cmd_completion(Context& ctx, CompletionOptions& options, Invocation& invocation);
int cmd_artifact_add(Context& ctx, ArtifactAddOptions& options, Invocation& invocation);
int cmd_artifact_attach(Context& ctx, ArtifactAttachOptions& options, Invocation& invocation);
int cmd_artifact_discover(Context& ctx, ArtifactDiscoverOptions& options, Invocation& invocation);
int cmd_artifact_extract(Context& ctx, ArtifactExtractOptions& options, Invocation& invocation);
int cmd_artifact_inspect(Context& ctx, NoOptions& options, Invocation& invocation);
int cmd_artifact_ls(Context& ctx, ArtifactLsOptions& options, Invocation& invocation);
int cmd_artifact_pull(Context& ctx, ArtifactRemoteFlags& options, Invocation& invocation);
int cmd_artifact_push(Context& ctx, ArtifactRemoteFlags& options, Invocation& invocation);
int cmd_artifact_rm(Context& ctx, ArtifactRmOptions& options, Invocation& invocation);
// `image trust show|set|explain`: dispatches on its first argument to the declared
// subcommands (image_trust_commands()).
int cmd_image_trust(Context& ctx, CommandArgs args);
int cmd_image_trust_show(Context& ctx, TrustShowOptions& options, Invocation& invocation);
int cmd_image_trust_set(Context& ctx, TrustSetOptions& options, Invocation& invocation);
int cmd_image_trust_explain(Context& ctx, TrustExplainOptions& options, Invocation& invocation);

// Top-level commands, and the `image` group's subcommands (podman's aliases included).
std::span<const Command> top_level_commands();
std::span<const Command> image_commands();
std::span<const Command> system_commands();
std::span<const Command> container_commands();
std::span<const Command> manifest_commands();
std::span<const Command> artifact_commands();
// `image trust`'s subcommands (cmd_image_trust dispatches to them).
std::span<const Command> image_trust_commands();

}  // namespace schicht::cli
