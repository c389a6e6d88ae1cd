#include <array>

#include "cli/build_command_options.h"
#include "cli/command_binding.h"
#include "cli/commands.h"
#include "cli/manifest_command_options.h"
#include "cli/registry_command_options.h"

namespace schicht::cli {
namespace {

// The flags of RegistryFlags (registry_flags.h); login has all but --creds.
constexpr FlagSpec kRegistryFlagSpecs[] = {
    flag<&RegistryFlags::tls_verify>(
        "tls-verify", 0,
        "Require HTTPS and verify certificates when contacting registries (default true)"),
    flag<&RegistryFlags::cert_dir>("cert-dir", 0,
                                   "Path to a directory containing TLS certificates and keys"),
    flag<&RegistryFlags::authfile>("authfile", 0,
                                   "Path of the authentication file. Use REGISTRY_AUTH_FILE "
                                   "environment variable to override"),
    flag<&RegistryFlags::creds>(
        "creds", 0, "Credentials (USERNAME:PASSWORD) to use for authenticating to a registry"),
};

// The flags of SideFlags (side_registry_flags.h) for each side, as skopeo names them.
constexpr FlagSpec kSourceSideFlagSpecs[] = {
    flag<&SideFlags::creds>("src-creds", 0,
                            "Use USERNAME[:PASSWORD] for accessing the source registry"),
    flag<&SideFlags::tls_verify>(
        "src-tls-verify", 0,
        "Require HTTPS and verify certificates when talking to the source registry (default "
        "true)"),
    flag<&SideFlags::cert_dir>("src-cert-dir", 0,
                               "Use certificates at PATH (*.crt, *.cert, *.key) to connect to the "
                               "source registry"),
    flag<&SideFlags::authfile>("src-authfile", 0,
                               "Path of the authentication file for the source registry"),
};
constexpr FlagSpec kDestinationSideFlagSpecs[] = {
    flag<&SideFlags::creds>("dest-creds", 0,
                            "Use USERNAME[:PASSWORD] for accessing the destination registry"),
    flag<&SideFlags::tls_verify>(
        "dest-tls-verify", 0,
        "Require HTTPS and verify certificates when talking to the destination registry "
        "(default true)"),
    flag<&SideFlags::cert_dir>("dest-cert-dir", 0,
                               "Use certificates at PATH (*.crt, *.cert, *.key) to connect to the "
                               "destination registry"),
    flag<&SideFlags::authfile>("dest-authfile", 0,
                               "Path of the authentication file for the destination registry"),
};

constexpr CommandSpec kTag = declared<NoOptions, cmd_tag>(
    "schicht tag IMAGE TARGET_NAME [TARGET_NAME...]", min_args(2), "i-*");
constexpr CommandSpec kUntag =
    declared<NoOptions, cmd_untag>("schicht untag IMAGE [IMAGE...]", min_args(1), "i*");
constexpr FlagSpec kRmiFlags[] = {
    flag<&RmiOptions::all>("all", 'a', "Remove all images"),
    flag<&RmiOptions::force>("force", 'f', "Force Removal of the image"),
    flag<&RmiOptions::ignore>("ignore", 'i', "Ignore errors if a specified image does not exist"),
    flag<&RmiOptions::no_prune>("no-prune", 0, "Do not remove dangling images"),
};
constexpr FlagGroup kRmiGroups[] = {{kRmiFlags}};
constexpr CommandSpec kRmi = declared<RmiOptions, cmd_rmi>("schicht rmi [options] IMAGE [IMAGE...]",
                                                           any_args(), "i*", kRmiGroups);
constexpr CommandSpec kImageExists =
    declared<NoOptions, cmd_image_exists>("schicht image exists IMAGE", exact_args(1), "i");

constexpr FlagSpec kImageAnalyzeFlags[] = {
    flag<&ImageAnalyzeOptions::format>("format", 0, "json, or a Go template over the analysis"),
    flag<&ImageAnalyzeOptions::lowest>("lowest-efficiency", 0,
                                       "Exit 1 when efficiency is below this (0-1)"),
    flag<&ImageAnalyzeOptions::highest>("highest-wasted-bytes", 0,
                                        "Exit 1 when more bytes than this are wasted (e.g. 20MB)"),
};
constexpr FlagGroup kImageAnalyzeGroups[] = {{kImageAnalyzeFlags}};
constexpr CommandSpec kImageAnalyze = declared<ImageAnalyzeOptions, cmd_image_analyze>(
    "schicht image analyze [options] IMAGE", exact_args(1), "i", kImageAnalyzeGroups);

constexpr FlagSpec kSaveFlags[] = {
    flag<&SaveOptions::output>("output", 'o', "Write to a specified file (default: stdout)"),
    flag<&SaveOptions::format>("format", 0,
                               "Save image to oci-archive, oci-dir, docker-archive or docker-dir"),
    flag<&SaveOptions::multi>("multi-image-archive", 'm',
                              "Interpret additional arguments as images"),
    flag<&SaveOptions::multi_arch>(
        "multi-arch", 0,
        "Of a manifest list: the image for this machine (system), every image and the "
        "list (all), or the list alone (index-only)"),
    flag<&SaveOptions::quiet>("quiet", 'q', "Suppress the output"),
    flag<&SaveOptions::compress>("compress", 0, "Compress tarball image layers (docker-dir only)"),
    flag<&SaveOptions::uncompressed>("uncompressed", 0, "Accept uncompressed layers (oci-dir)"),
    flag<&SaveOptions::referrers>(
        "referrers", 0,
        "Save the stored artifacts referring to the image too (oci-archive, oci-dir)"),
    ignored_flag("signature-policy", 0, true),
};
constexpr FlagGroup kSaveGroups[] = {{kSaveFlags}};
constexpr CommandSpec kSave = declared<SaveOptions, cmd_save>(
    "schicht save [options] IMAGE [IMAGE...]", any_args(), "i*", kSaveGroups);

constexpr FlagSpec kLoadFlags[] = {
    flag<&LoadOptions::input>("input", 'i', "Read from specified archive file (default: stdin)"),
    flag<&LoadOptions::quiet>("quiet", 'q', "Suppress the output"),
    flag<&LoadOptions::referrers>(
        "referrers", 0, "Store the referrers an oci-archive holds for its images as artifacts"),
    flag<&LoadOptions::signature_policy>("signature-policy", 0, "Path to a signature-policy file"),
};
constexpr FlagGroup kLoadGroups[] = {{kLoadFlags}};
constexpr CommandSpec kLoad =
    declared<LoadOptions, cmd_load>("schicht load [options]", exact_args(0), "-", kLoadGroups);

constexpr FlagSpec kArtifactRmFlags[] = {
    flag<&ArtifactRmOptions::all>("all", 'a', "Remove all artifacts"),
};
constexpr FlagGroup kArtifactRmGroups[] = {{kArtifactRmFlags}};
constexpr CommandSpec kArtifactRm = declared<ArtifactRmOptions, cmd_artifact_rm>(
    "schicht artifact rm [options] NAME...", any_args(), "a*", kArtifactRmGroups);

constexpr FlagSpec kArtifactExtractFlags[] = {
    flag<&ArtifactExtractOptions::digest>("digest", 0, "Only extract the blob with this digest"),
    flag<&ArtifactExtractOptions::title>("title", 0, "Only extract the blob with this title"),
};
constexpr FlagGroup kArtifactExtractGroups[] = {{kArtifactExtractFlags}};
constexpr CommandSpec kArtifactExtract = declared<ArtifactExtractOptions, cmd_artifact_extract>(
    "schicht artifact extract [options] NAME TARGET", any_args(), "af", kArtifactExtractGroups);

constexpr CommandSpec kArtifactInspect =
    declared<NoOptions, cmd_artifact_inspect>("schicht artifact inspect NAME", any_args(), "a");

constexpr FlagSpec kArtifactLsFlags[] = {
    flag<&ArtifactLsOptions::format>("format", 0, "Format the output using a Go template or json"),
    flag<&ArtifactLsOptions::noheading>("noheading", 'n', "Do not print column headings"),
    flag<&ArtifactLsOptions::no_trunc>("no-trunc", 0, "Do not truncate output"),
};
constexpr FlagGroup kArtifactLsGroups[] = {{kArtifactLsFlags}};
constexpr CommandSpec kArtifactLs = declared<ArtifactLsOptions, cmd_artifact_ls>(
    "schicht artifact ls [options]", any_args(), "-", kArtifactLsGroups);

constexpr FlagSpec kContainerInspectFlags[] = {
    flag<&ContainerInspectOptions::format>("format", 'f',
                                           "Format the output to a Go template or json"),
    flag<&ContainerInspectOptions::latest>("latest", 'l',
                                           "Act on the latest container schicht is aware of"),
};
constexpr FlagGroup kContainerInspectGroups[] = {{kContainerInspectFlags}};
constexpr CommandSpec kContainerInspect = declared<ContainerInspectOptions, cmd_container_inspect>(
    "schicht container inspect CONTAINER...", any_args(), "c*", kContainerInspectGroups);

constexpr CommandSpec kContainerExists = declared<NoOptions, cmd_container_exists>(
    "schicht container exists CONTAINER", exact_args(1), "c");

constexpr FlagSpec kRmFlags[] = {
    flag<&RmOptions::all>("all", 'a', "Remove all containers"),
    flag<&RmOptions::force>("force", 'f', "Force removal of a running or unusable container"),
    flag<&RmOptions::ignore>("ignore", 'i', "Ignore errors when a specified container is missing"),
    flag<&RmOptions::volumes>("volumes", 'v', "Remove anonymous volumes (accepted)"),
    flag<&RmOptions::stop_timeout>(
        "time", 't', "Seconds to wait for stop before killing the container (default 10)"),
};
constexpr FlagGroup kRmGroups[] = {{kRmFlags}};
constexpr CommandSpec kRm = declared<RmOptions, cmd_rm>(
    "schicht rm [options] CONTAINER [CONTAINER...]", any_args(), "c*", kRmGroups);

constexpr FlagSpec kPsFlags[] = {
    flag<&PsOptions::all>("all", 'a',
                          "Show all the containers, default is only running containers"),
    flag<&PsOptions::quiet>("quiet", 'q', "Print the numeric IDs of the containers only"),
    flag<&PsOptions::no_trunc>("no-trunc", 0, "Display the extended information"),
    flag<&PsOptions::noheading>("noheading", 'n', "Do not print headers"),
    flag<&PsOptions::size>("size", 's', "Display the total file sizes"),
    flag<&PsOptions::format>("format", 0, "Pretty-print containers to JSON or using a Go template"),
    // podman's --external adds storage containers made by other tools (buildah); every container
    // here is schicht's own, so there are none to add.
    flag<&PsOptions::external>("external", 0,
                               "Show containers in storage not controlled by Podman"),
};
constexpr FlagGroup kPsGroups[] = {{kPsFlags}};
constexpr CommandSpec kPs =
    declared<PsOptions, cmd_ps>("schicht ps [options]", any_args(), "-", kPsGroups);

constexpr FlagSpec kCreateFlags[] = {
    flag<&CreateOptions::name>("name", 0, "Assign a name to the container"),
};
constexpr FlagGroup kCreateGroups[] = {{kCreateFlags}};
constexpr CommandSpec kCreate = declared<CreateOptions, cmd_create>(
    "schicht create [options] IMAGE [COMMAND [ARG...]]", min_args(1), "i-*", kCreateGroups, false);

constexpr FlagSpec kImageDiffFlags[] = {
    flag<&ImageDiffOptions::format>("format", 0, "Change the output format (json)"),
};
constexpr FlagGroup kImageDiffGroups[] = {{kImageDiffFlags}};
constexpr CommandSpec kImageDiff = declared<ImageDiffOptions, cmd_image_diff>(
    "schicht image diff [options] IMAGE [IMAGE]", range_args(1, 2), "ii", kImageDiffGroups);

constexpr FlagSpec kEventsFlags[] = {
    flag<&EventsOptions::filters>("filter", 'f', "filter output"),
    flag<&EventsOptions::format>("format", 0, "format the output using a Go template"),
    flag<&EventsOptions::no_trunc>("no-trunc", 0, "do not truncate the output (default true)"),
    flag<&EventsOptions::since>("since", 0, "show all events created since timestamp"),
    flag<&EventsOptions::stream>("stream", 0,
                                 "stream events and do not exit when returning the last "
                                 "known event (default true)"),
    flag<&EventsOptions::until>("until", 0, "show all events until timestamp"),
};
constexpr FlagGroup kEventsGroups[] = {{kEventsFlags}};
constexpr CommandSpec kEvents =
    declared<EventsOptions, cmd_events>("schicht events [options]", any_args(), "-", kEventsGroups);

constexpr FlagSpec kImagesFlags[] = {
    flag<&ImagesOptions::all>("all", 'a', "Show all images (default hides intermediate images)"),
    flag<&ImagesOptions::quiet>("quiet", 'q', "Display only image IDs"),
    flag<&ImagesOptions::no_trunc>("no-trunc", 0, "Do not truncate output"),
    flag<&ImagesOptions::noheading>("noheading", 'n', "Do not print column headings"),
    flag<&ImagesOptions::digests>("digests", 0, "Show digests"),
    flag<&ImagesOptions::format>("format", 0, "Change the output format to JSON or a Go template"),
    flag<&ImagesOptions::sort>("sort", 0, "Sort by created, id, repository, size, tag"),
    flag<&ImagesOptions::filters>("filter", 'f', "Filter output based on conditions provided"),
    flag<&ImagesOptions::names_history>("history", 0, "Display the image name history"),
};
constexpr FlagGroup kImagesGroups[] = {{kImagesFlags}};
constexpr CommandSpec kImages = declared<ImagesOptions, cmd_images>(
    "schicht images [options] [IMAGE]", max_args(1), "i", kImagesGroups);

constexpr FlagSpec kInfoFlags[] = {
    flag<&InfoOptions::format>("format", 'f', "Change the output format to JSON or a Go template"),
};
constexpr FlagGroup kInfoGroups[] = {{kInfoFlags}};
constexpr CommandSpec kInfo =
    declared<InfoOptions, cmd_info>("schicht info [options]", any_args(), "-", kInfoGroups);

constexpr FlagSpec kHistoryFlags[] = {
    flag<&HistoryOptions::format>("format", 0, "Change the output to JSON or a Go template"),
    flag<&HistoryOptions::human>("human", 'H', "Display sizes and dates in human readable format"),
    flag<&HistoryOptions::no_trunc>("no-trunc", 0, "Do not truncate the output"),
    flag<&HistoryOptions::no_trunc>("notruncate", 0, "Do not truncate the output"),
    flag<&HistoryOptions::quiet>("quiet", 'q', "Display the numeric IDs only"),
};
constexpr FlagGroup kHistoryGroups[] = {{kHistoryFlags}};
constexpr CommandSpec kHistory = declared<HistoryOptions, cmd_history>(
    "schicht history [options] IMAGE", exact_args(1), "i", kHistoryGroups);

constexpr FlagSpec kImageInspectFlags[] = {
    flag<&ImageInspectOptions::format>("format", 'f', "Format the output to a Go template or json"),
};
constexpr FlagGroup kImageInspectGroups[] = {{kImageInspectFlags}};
constexpr CommandSpec kImageInspect = declared<ImageInspectOptions, cmd_image_inspect>(
    "schicht image inspect [options] IMAGE [IMAGE...]", any_args(), "i*", kImageInspectGroups);

constexpr FlagSpec kInspectFlags[] = {
    flag<&InspectOptions::format>("format", 'f', "Format the output using the given Go template"),
    flag<&InspectOptions::latest>("latest", 'l', "Act on the latest container schicht is aware of"),
    flag<&InspectOptions::type>(
        "type", 't', "Specify inspect-object type (\"image\", \"container\" or \"all\")"),
    flag<&InspectOptions::size>("size", 's', "Display total file size"),
};
constexpr FlagGroup kInspectGroups[] = {{kInspectFlags}};
constexpr CommandSpec kInspect = declared<InspectOptions, cmd_inspect>(
    "schicht inspect [options] {CONTAINER|IMAGE} [...]", any_args(), "o*", kInspectGroups);

constexpr FlagSpec kManifestPushFlags[] = {
    flag<&ManifestPushOptions::all>("all", 0, "also push the images in the list (default true)"),
    flag<&ManifestPushOptions::format>(
        "format", 'f',
        "manifest type (oci or v2s2) to attempt to use when pushing the manifest "
        "list (default is manifest type of source)"),
    flag<&ManifestPushOptions::digestfile>(
        "digestfile", 0,
        "after copying the image, write the digest of the resulting digest to the "
        "file"),
    flag<&ManifestPushOptions::rm>("rm", 0, "remove the manifest list if push succeeds"),
    flag<&ManifestPushOptions::quiet>("quiet", 'q',
                                      "don't output progress information when pushing lists"),
};
constexpr FlagSpec kManifestPushSigningFlags[] = {
    flag<&ManifestPushOptions::remove_signatures>("remove-signatures", 0,
                                                  "don't copy signatures when pushing images"),
    ignored_flag("compression-format", 0, true),
    flag<&ManifestPushOptions::sign_by>(
        "sign-by", 0,
        "sign the images and the list with a GPG key of this fingerprint (lookaside "
        "storage, registries.d)"),
    flag<&ManifestPushOptions::sigstore_key_file>(
        "sign-by-sigstore-private-key", 0, "Sign the image using a sigstore private key at PATH"),
    flag<&ManifestPushOptions::sign_passphrase_file>(
        "sign-passphrase-file", 0, "Read a passphrase for signing an image from PATH"),
};
constexpr FlagGroup kManifestPushGroups[] = {
    {kManifestPushFlags},
    FlagGroup{kRegistryFlagSpecs, part_of<&ManifestPushOptions::registry>()},
    {kManifestPushSigningFlags}};
constexpr CommandSpec kManifestPush = declared<ManifestPushOptions, cmd_manifest_push>(
    "schicht manifest push [options] LIST DESTINATION", any_args(), "l-", kManifestPushGroups);

constexpr CommandSpec kManifestExists =
    declared<NoOptions, cmd_manifest_exists>("schicht manifest exists LIST", any_args(), "l");

constexpr CommandSpec kManifestRm =
    declared<NoOptions, cmd_manifest_rm>("schicht manifest rm LIST [LIST...]", any_args(), "l*");

constexpr CommandSpec kManifestRemove = declared<NoOptions, cmd_manifest_remove>(
    "schicht manifest remove LIST IMAGE", any_args(), "l-");

constexpr FlagSpec kImageUnmountFlags[] = {
    flag<&ImageUnmountOptions::all>("all", 'a', "Unmount all of the currently mounted images"),
    flag<&ImageUnmountOptions::force>("force", 'f',
                                      "Force the complete unmount of the specified mounted images"),
};
constexpr FlagGroup kImageUnmountGroups[] = {{kImageUnmountFlags}};
constexpr CommandSpec kImageUnmount = declared<ImageUnmountOptions, cmd_image_unmount>(
    "schicht image unmount [IMAGE...]", any_args(), "i*", kImageUnmountGroups);

constexpr FlagSpec kImageMountFlags[] = {
    flag<&ImageMountOptions::format>("format", 0,
                                     "Print the mounted images in specified format (json)"),
};
constexpr FlagGroup kImageMountGroups[] = {{kImageMountFlags}};
constexpr CommandSpec kImageMount = declared<ImageMountOptions, cmd_image_mount>(
    "schicht image mount [IMAGE...]", any_args(), "i*", kImageMountGroups);

constexpr FlagSpec kLogoutFlags[] = {
    flag<&LogoutOptions::all>("all", 'a',
                              "Remove the cached credentials for all registries in the auth file"),
    flag<&LogoutOptions::authfile>(
        "authfile", 0,
        "Path of the authentication file. Use REGISTRY_AUTH_FILE environment variable "
        "to override"),
};
constexpr FlagGroup kLogoutGroups[] = {{kLogoutFlags}};
constexpr CommandSpec kLogout = declared<LogoutOptions, cmd_logout>(
    "schicht logout [options] [REGISTRY]", max_args(1), "-", kLogoutGroups);

constexpr FlagSpec kImageSignFlags[] = {
    flag<&ImageSignOptions::sign_by>("sign-by", 0, "Name of the signing key"),
    flag<&ImageSignOptions::directory>("directory", 'd',
                                       "Define an alternate directory to store signatures"),
    flag<&ImageSignOptions::cert_dir>("cert-dir", 0,
                                      "Path to a directory containing TLS certificates and keys"),
    flag<&ImageSignOptions::authfile>(
        "authfile", 0,
        "Path of the authentication file. Use REGISTRY_AUTH_FILE environment variable "
        "to override"),
    flag<&ImageSignOptions::all>("all", 'a',
                                 "Sign all the manifests of the multi-architecture image"),
};
constexpr FlagGroup kImageSignGroups[] = {{kImageSignFlags}};
constexpr CommandSpec kImageSign = declared<ImageSignOptions, cmd_image_sign>(
    "schicht image sign [options] IMAGE [IMAGE...]", min_args(1), "", kImageSignGroups);

constexpr FlagSpec kGenerateSigstoreKeyFlags[] = {
    flag<&GenerateSigstoreKeyOptions::prefix>("output-prefix", 0,
                                              "Write the keys to PREFIX.pub and PREFIX.private"),
    flag<&GenerateSigstoreKeyOptions::passphrase_file>(
        "passphrase-file", 0, "Read a passphrase for the private key from PATH"),
};
constexpr FlagGroup kGenerateSigstoreKeyGroups[] = {{kGenerateSigstoreKeyFlags}};
constexpr CommandSpec kGenerateSigstoreKey =
    declared<GenerateSigstoreKeyOptions, cmd_generate_sigstore_key>(
        "schicht generate-sigstore-key [options] --output-prefix PREFIX", any_args(), "",
        kGenerateSigstoreKeyGroups);

constexpr FlagSpec kSystemDfFlags[] = {
    flag<&SystemDfOptions::verbose>("verbose", 'v', "Show detailed information on disk usage"),
    flag<&SystemDfOptions::format>("format", 0, "Pretty-print images using a Go template"),
};
constexpr FlagGroup kSystemDfGroups[] = {{kSystemDfFlags}};
constexpr CommandSpec kSystemDf = declared<SystemDfOptions, cmd_system_df>(
    "schicht system df [options]", any_args(), "-", kSystemDfGroups);

constexpr CommandSpec kImageRollback =
    declared<NoOptions, cmd_image_rollback>("schicht image rollback NAME", exact_args(1), "i");

constexpr FlagSpec kImageTagLogFlags[] = {
    flag<&ImageTagLogOptions::format>("format", 0, "Change the output to JSON or a Go template"),
    flag<&ImageTagLogOptions::no_trunc>("no-trunc", 0, "Do not truncate image IDs"),
    flag<&ImageTagLogOptions::noheading>("noheading", 'n', "Do not print column headings"),
};
constexpr FlagGroup kImageTagLogGroups[] = {{kImageTagLogFlags}};
constexpr CommandSpec kImageTagLog = declared<ImageTagLogOptions, cmd_image_tag_log>(
    "schicht image tag-log [options] [NAME...]", any_args(), "i*", kImageTagLogGroups);

constexpr FlagSpec kImageTreeFlags[] = {
    flag<&ImageTreeOptions::whatrequires>(
        "whatrequires", 0, "Show all child images and layers of the specified image"),
    flag<&ImageTreeOptions::referrers>(
        "referrers", 0, "Also show the stored artifacts that refer to the image (their subject)"),
};
constexpr FlagGroup kImageTreeGroups[] = {{kImageTreeFlags}};
constexpr CommandSpec kImageTree = declared<ImageTreeOptions, cmd_image_tree>(
    "schicht image tree [options] IMAGE", exact_args(1), "i", kImageTreeGroups);

constexpr FlagSpec kUnshareFlags[] = {
    flag<&UnshareOptions::rootless_netns>(
        "rootless-netns", 0,
        "Join the rootless network namespace used for CNI and netavark networking"),
};
constexpr FlagGroup kUnshareGroups[] = {{kUnshareFlags}};
constexpr CommandSpec kUnshare = declared<UnshareOptions, cmd_unshare>(
    "schicht unshare [options] [COMMAND [ARG...]]", any_args(), "", kUnshareGroups, false);

constexpr FlagSpec kVersionFlags[] = {
    flag<&VersionOptions::format>("format", 'f',
                                  "Change the output format to JSON or a Go template"),
};
constexpr FlagGroup kVersionGroups[] = {{kVersionFlags}};
constexpr CommandSpec kVersion = declared<VersionOptions, cmd_version>(
    "schicht version [options]", any_args(), "-", kVersionGroups);

constexpr FlagSpec kCompletionFlags[] = {
    flag<&CompletionOptions::file>("file", 'f', "Output the completion to file rather than stdout"),
    flag<&CompletionOptions::no_desc>("no-desc", 0,
                                      "Don't include descriptions (schicht never does)"),
};
constexpr FlagGroup kCompletionGroups[] = {{kCompletionFlags}};
constexpr CommandSpec kCompletion = declared<CompletionOptions, cmd_completion>(
    "schicht completion [options] bash|zsh|fish", exact_args(1), "s", kCompletionGroups);

constexpr FlagSpec kLoginFlags[] = {
    flag<&LoginOptions::username>("username", 'u', "Username for registry"),
    flag<&LoginOptions::password>("password", 'p', "Password for registry"),
    flag<&LoginOptions::password_stdin>("password-stdin", 0, "Take the password from stdin"),
    flag<&LoginOptions::get_login>("get-login", 0,
                                   "Return the current login user for the registry"),
    flag<&LoginOptions::verbose>("verbose", 'v', "Write more detailed information to stdout"),
};
constexpr FlagGroup kLoginGroups[] = {
    FlagGroup{std::span(kRegistryFlagSpecs).first(3), part_of<&LoginOptions::registry_flags>()},
    {kLoginFlags}};
constexpr CommandSpec kLogin = declared<LoginOptions, cmd_login>(
    "schicht login [options] [REGISTRY]", max_args(1), "-", kLoginGroups);

constexpr FlagSpec kPushFlags[] = {
    flag<&PushOptions::quiet>("quiet", 'q', "Suppress output information when pushing images"),
    flag<&PushOptions::digestfile>("digestfile", 0,
                                   "Write the digest of the pushed image to the specified file"),
    flag<&PushOptions::compression>("compression-format", 0, "compression format to use"),
    flag<&PushOptions::format>(
        "format", 'f',
        "Manifest type (oci or v2s2) to use in the destination (default is manifest "
        "type of source)"),
    flag<&PushOptions::remove_signatures>("remove-signatures", 0,
                                          "Discard any pre-existing signatures in the image"),
    flag<&PushOptions::compress>(
        "compress", 0, "Compress tarball image layers when pushing to a directory (dir: only)"),
    flag<&PushOptions::retry>("retry", 0,
                              "Number of times to retry in case of failure (default 3)"),
    flag<&PushOptions::jobs>("jobs", 0, "Number of layers to upload at once (default 6)"),
    ignored_flag("signature-policy", 0, true),
    ignored_flag("disable-content-trust", 0, false),
    flag<&PushOptions::sigstore_key_file>("sign-by-sigstore-private-key", 0,
                                          "Sign the image using a sigstore private key at PATH"),
    flag<&PushOptions::sign_passphrase_file>("sign-passphrase-file", 0,
                                             "Read a passphrase for signing an image from PATH"),
    flag<&PushOptions::sign_by>("sign-by", 0,
                                "Add a signature at the destination using the specified key"),
    flag<&PushOptions::referrers>(
        "referrers", 0,
        "Also push the stored artifacts that refer to the image (signatures, SBOMs)"),
};
constexpr FlagGroup kPushGroups[] = {
    FlagGroup{kRegistryFlagSpecs, part_of<&PushOptions::registry_flags>()}, {kPushFlags}};
constexpr CommandSpec kPush = declared<PushOptions, cmd_push>(
    "schicht push [options] IMAGE [DESTINATION]", min_args(1), "i-", kPushGroups);

constexpr FlagSpec kPullFlags[] = {
    flag<&PullOptions::quiet>("quiet", 'q', "Suppress output information when pulling images"),
    flag<&PullOptions::all_tags>("all-tags", 'a',
                                 "All tagged images in the repository will be pulled"),
    flag<&PullOptions::all_platforms>("all-platforms", 0,
                                      "Pull every image of a manifest list, and the list itself"),
    flag<&PullOptions::platform>("platform", 0, "Specify the platform for selecting the image"),
    flag<&PullOptions::os>("os", 0, "Use OS instead of the running OS for choosing images"),
    flag<&PullOptions::arch>(
        "arch", 0, "Use ARCH instead of the architecture of the machine for choosing images"),
    flag<&PullOptions::variant>(
        "variant", 0,
        "Use VARIANT instead of the running architecture variant for choosing images"),
    flag<&PullOptions::retry>("retry", 0,
                              "Number of times to retry in case of failure (default 3)"),
    flag<&PullOptions::jobs>("jobs", 0, "Number of layers to download at once (default 6)"),
    flag<&PullOptions::signature_policy>("signature-policy", 0, "Path to a signature-policy file"),
    ignored_flag("disable-content-trust", 0, false),
    flag<&PullOptions::referrers>(
        "referrers", 0, "Also pull the artifacts that refer to the image (signatures, SBOMs)"),
    flag<&PullOptions::unpack>(
        "unpack", 0, "Extract the layers while they download (default: with the overlay driver)"),
};
constexpr FlagGroup kPullGroups[] = {
    FlagGroup{kRegistryFlagSpecs, part_of<&PullOptions::registry_flags>()}, {kPullFlags}};
constexpr CommandSpec kPull = declared<PullOptions, cmd_pull>(
    "schicht pull [options] IMAGE [IMAGE...]", min_args(1), "-", kPullGroups);

constexpr FlagSpec kSearchFlags[] = {
    flag<&SearchOptions::registry_flags, &RegistryFlags::authfile>(
        "authfile", 0,
        "Path of the authentication file. Use REGISTRY_AUTH_FILE environment variable "
        "to override"),
    flag<&SearchOptions::compatible>(
        "compatible", 0, "List stars, official and automated columns (Docker compatibility)"),
    flag<&SearchOptions::filters>("filter", 'f', "Filter output based on conditions provided"),
    flag<&SearchOptions::format>("format", 0, "Change the output format to JSON or a Go template"),
    flag<&SearchOptions::limit>("limit", 0, "Limit the number of results"),
    flag<&SearchOptions::list_tags>("list-tags", 0, "List the tags of the input registry"),
    flag<&SearchOptions::no_trunc>("no-trunc", 0, "Do not truncate the output"),
    flag<&SearchOptions::registry_flags, &RegistryFlags::tls_verify>(
        "tls-verify", 0,
        "Require HTTPS and verify certificates when contacting registries (default true)"),
};
constexpr FlagGroup kSearchGroups[] = {{kSearchFlags}};
constexpr CommandSpec kSearch = declared<SearchOptions, cmd_search>(
    "schicht search [options] TERM", exact_args(1), "-", kSearchGroups);

constexpr FlagSpec kImageSbomFlags[] = {
    flag<&ImageSbomOptions::format>("format", 0, "Document format (spdx-json, cyclonedx-json)"),
    flag<&ImageSbomOptions::output>("output", 'o',
                                    "Write the document to a file instead of stdout"),
    flag<&ImageSbomOptions::attach>(
        "attach", 0, "Push the document to a registry repository as a referrer of the image"),
};
constexpr FlagGroup kImageSbomGroups[] = {
    {kImageSbomFlags}, FlagGroup{kRegistryFlagSpecs, part_of<&ImageSbomOptions::registry_flags>()}};
constexpr CommandSpec kImageSbom = declared<ImageSbomOptions, cmd_image_sbom>(
    "schicht image sbom [options] IMAGE|docker://REFERENCE", exact_args(1), "i", kImageSbomGroups);

constexpr FlagSpec kImageCopyFlags[] = {
    flag<&ImageCopyOptions::all>("all", 'a', "Copy all images if SOURCE-IMAGE is a list"),
    flag<&ImageCopyOptions::multi_arch>(
        "multi-arch", 0, "How to handle multi-architecture images (system, all, or index-only)"),
    flag<&ImageCopyOptions::preserve_digests>("preserve-digests", 0,
                                              "Preserve digests of images and lists"),
    flag<&ImageCopyOptions::quiet>("quiet", 'q', "Suppress output information when copying images"),
    flag<&ImageCopyOptions::referrers>(
        "referrers", 0,
        "Also copy the artifacts that refer to the image (docker://, oci:, oci-archive:, "
        "containers-storage:)"),
    flag<&ImageCopyOptions::retry_times>("retry-times", 0, "The number of times to possibly retry"),
    flag<&ImageCopyOptions::signature_policy>("signature-policy", 0,
                                              "Path to a signature-policy file"),
    flag<&ImageCopyOptions::format>(
        "format", 'f',
        "MANIFEST TYPE (oci or v2s2) to use in the destination (default is manifest "
        "type of source)"),
    flag<&ImageCopyOptions::dest_compress>(
        "dest-compress", 0,
        "Compress uncompressed layers (gzip unless --dest-compress-format says)"),
    flag<&ImageCopyOptions::compress_format>("dest-compress-format", 0,
                                             "FORMAT (gzip or zstd) to recompress layers in"),
    flag<&ImageCopyOptions::compress_level>("dest-compress-level", 0,
                                            "LEVEL to use for the compression"),
    flag<&ImageCopyOptions::remove_signatures>("remove-signatures", 0,
                                               "Do not copy signatures from SOURCE-IMAGE"),
    flag<&ImageCopyOptions::sign_by>(
        "sign-by", 0, "Sign the image using a GPG key with the specified FINGERPRINT"),
    flag<&ImageCopyOptions::sigstore_key_file>(
        "sign-by-sigstore-private-key", 0, "Sign the image using a sigstore private key at PATH"),
    flag<&ImageCopyOptions::passphrase_file>("sign-passphrase-file", 0,
                                             "Read a passphrase for signing an image from PATH"),
};
constexpr FlagGroup kImageCopyGroups[] = {
    {kImageCopyFlags},
    FlagGroup{kSourceSideFlagSpecs, part_of<&ImageCopyOptions::source>()},
    FlagGroup{kDestinationSideFlagSpecs, part_of<&ImageCopyOptions::destination>()}};
constexpr CommandSpec kImageCopy = declared<ImageCopyOptions, cmd_image_copy>(
    "schicht image copy [options] SOURCE-IMAGE DESTINATION-IMAGE", any_args(), "--",
    kImageCopyGroups);

constexpr FlagSpec kImageSyncFlags[] = {
    flag<&ImageSyncOptions::source_kind>("src", 's', "SOURCE transport type (docker, dir or yaml)"),
    flag<&ImageSyncOptions::destination_kind>("dest", 'd',
                                              "DESTINATION transport type (docker or dir)"),
    flag<&ImageSyncOptions::all>("all", 'a', "Copy all images if SOURCE-IMAGE is a list"),
    flag<&ImageSyncOptions::scoped>(
        "scoped", 0, "Images at DESTINATION are prefix using the full source image path as scope"),
    flag<&ImageSyncOptions::dry_run>("dry-run", 0, "Run without actually copying data"),
    flag<&ImageSyncOptions::keep_going>("keep-going", 0,
                                        "Do not abort the sync if any image copy fails"),
    flag<&ImageSyncOptions::preserve_digests>("preserve-digests", 0,
                                              "Preserve digests of images and lists"),
    flag<&ImageSyncOptions::format>(
        "format", 'f',
        "MANIFEST TYPE (oci or v2s2) to use when syncing image(s) to a destination "
        "(default is manifest type of source)"),
    flag<&ImageSyncOptions::retry_times>("retry-times", 0, "The number of times to possibly retry"),
    flag<&ImageSyncOptions::signature_policy>("signature-policy", 0,
                                              "Path to a signature-policy file"),
    flag<&ImageSyncOptions::remove_signatures>("remove-signatures", 0,
                                               "Do not copy signatures from SOURCE images"),
    flag<&ImageSyncOptions::sign_by>(
        "sign-by", 0, "Sign the image using a GPG key with the specified FINGERPRINT"),
    flag<&ImageSyncOptions::sigstore_key_file>(
        "sign-by-sigstore-private-key", 0, "Sign the image using a sigstore private key at PATH"),
    flag<&ImageSyncOptions::passphrase_file>(
        "sign-passphrase-file", 0, "File that contains a passphrase for the --sign-by key"),
};
constexpr FlagGroup kImageSyncGroups[] = {
    {kImageSyncFlags},
    FlagGroup{kSourceSideFlagSpecs, part_of<&ImageSyncOptions::source>()},
    FlagGroup{kDestinationSideFlagSpecs, part_of<&ImageSyncOptions::destination>()}};
constexpr CommandSpec kImageSync = declared<ImageSyncOptions, cmd_image_sync>(
    "schicht image sync [options] --src TRANSPORT --dest TRANSPORT SOURCE DESTINATION", any_args(),
    "--", kImageSyncGroups);

constexpr FlagSpec kImportFlags[] = {
    flag<&ImportOptions::changes>("change", 'c',
                                  "Apply the following possible instructions to the created image"),
    flag<&ImportOptions::message>("message", 'm', "Set commit message for imported image"),
    flag<&ImportOptions::quiet>("quiet", 'q', "Suppress output"),
    flag<&ImportOptions::os>("os", 0, "Set the OS of the imported image"),
    flag<&ImportOptions::arch>("arch", 0, "Set the architecture of the imported image"),
    flag<&ImportOptions::variant>("variant", 0, "Set the variant of the imported image"),
    flag<&ImportOptions::signature_policy>("signature-policy", 0,
                                           "Path to a signature-policy file"),
};
constexpr FlagGroup kImportGroups[] = {{kImportFlags}};
constexpr CommandSpec kImport = declared<ImportOptions, cmd_import>(
    "schicht import [options] PATH [REFERENCE]", max_args(2), "f-", kImportGroups);

// The flags of PruneFlags, after each prune command's own.
constexpr FlagSpec kPruneFlagSpecs[] = {
    flag<&PruneFlags::filters>("filter", 0, "Provide filter values (e.g. 'label=<key>=<value>')"),
    flag<&PruneFlags::dry_run>("dry-run", 0, "Print what would be removed and the space freed"),
    flag<&PruneFlags::keep_last>(
        "keep-last", 0, "With -a: keep the N most recently used images of each repository"),
    flag<&PruneFlags::max_size>("max-size", 0,
                                "Remove least recently used images until the store is under SIZE"),
};

constexpr FlagSpec kImagePruneFlags[] = {
    flag<&ImagePruneOptions::all>(
        "all", 'a', "Remove all images not in use by containers, not just dangling ones"),
    flag<&ImagePruneOptions::force>("force", 'f', "Do not prompt for confirmation"),
    flag<&ImagePruneOptions::external>("external", 0,
                                       "Remove images even when used by external containers"),
    flag<&ImagePruneOptions::build_cache>(
        "build-cache", 0, "Also remove the build cache (what `build` reuses between builds)"),
};
constexpr FlagGroup kImagePruneGroups[] = {
    {kImagePruneFlags}, FlagGroup{kPruneFlagSpecs, part_of<&ImagePruneOptions::prune>()}};
constexpr CommandSpec kImagePrune = declared<ImagePruneOptions, cmd_image_prune>(
    "schicht image prune [options]", exact_args(0), "-", kImagePruneGroups);

constexpr FlagSpec kSystemPruneFlags[] = {
    flag<&SystemPruneOptions::all>("all", 'a', "Remove all unused data"),
    flag<&SystemPruneOptions::force>("force", 'f', "Do not prompt for confirmation"),
    flag<&SystemPruneOptions::volumes>("volumes", 0, "Prune volumes (accepted; schicht has none)"),
    flag<&SystemPruneOptions::external>(
        "external", 0, "Remove container data in storage not controlled by podman"),
};
constexpr FlagGroup kSystemPruneGroups[] = {
    {kSystemPruneFlags}, FlagGroup{kPruneFlagSpecs, part_of<&SystemPruneOptions::prune>()}};
constexpr CommandSpec kSystemPrune = declared<SystemPruneOptions, cmd_system_prune>(
    "schicht system prune [options]", exact_args(0), "-", kSystemPruneGroups);

constexpr FlagSpec kSystemCheckFlags[] = {
    flag<&SystemCheckOptions::quick>("quick", 'q', "Skip time-consuming checks (no hashing)"),
    flag<&SystemCheckOptions::repair>("repair", 'r', "Remove inconsistent images and leftovers"),
    flag<&SystemCheckOptions::force>("force", 'f', "Remove damaged images too (with --repair)"),
    flag<&SystemCheckOptions::max>("max", 'm',
                                   "Maximum allowed age of unreferenced layers (accepted)"),
    flag<&SystemCheckOptions::recover>(
        "recover", 0, "Rebuild lost or damaged image metadata from the blobs, then check"),
};
constexpr FlagGroup kSystemCheckGroups[] = {{kSystemCheckFlags}};
// podman's system check takes no arguments and ignores any given.
constexpr CommandSpec kSystemCheck = declared<SystemCheckOptions, cmd_system_check>(
    "schicht system check [options]", any_args(), "-", kSystemCheckGroups);

constexpr FlagSpec kServeFlags[] = {
    flag<&ServeCommandOptions::access_log>(
        "access-log", 0, "Append the access log to this file instead of standard error"),
    flag<&ServeCommandOptions::allow>(
        "allow", 0,
        "Serve only repositories matching this shell pattern (repeatable; default: all)"),
    flag<&ServeCommandOptions::cert>("cert", 0,
                                     "Serve HTTPS with this PEM certificate (with --key)"),
    flag<&ServeCommandOptions::htpasswd>(
        "htpasswd", 0, "Require basic auth from users in this htpasswd file (bcrypt)"),
    flag<&ServeCommandOptions::key>("key", 0, "The PEM private key of --cert"),
    flag<&ServeCommandOptions::listen>(
        "listen", 0, "Address and port to listen on (default \"127.0.0.1:5000\")"),
    flag<&ServeCommandOptions::mirror_of>(
        "mirror-of", 0,
        "Also answer REPO for the stored REGISTRY/REPO, as a registries.conf mirror of REGISTRY "
        "(repeatable)"),
    flag<&ServeCommandOptions::threads>("threads", 0, "Requests served at once (default 64)"),
};
constexpr FlagGroup kServeGroups[] = {{kServeFlags}};
constexpr CommandSpec kServe = declared<ServeCommandOptions, cmd_serve>(
    "schicht serve [options]", exact_args(0), "-", kServeGroups);

// The flags of ManifestEntryFlags (manifest add and annotate).
constexpr FlagSpec kManifestEntryFlagSpecs[] = {
    flag<&ManifestEntryFlags::os>("os", 0, "override the operating system of the specified image"),
    flag<&ManifestEntryFlags::arch>("arch", 0, "override the architecture of the specified image"),
    flag<&ManifestEntryFlags::variant>("variant", 0, "override the Variant of the specified image"),
    flag<&ManifestEntryFlags::os_version>("os-version", 0,
                                          "override the OS version of the specified image"),
    flag<&ManifestEntryFlags::features>(
        "features", 0,
        "override the features of the specified image (ignored: Docker lists as podman writes "
        "them drop them)"),
    flag<&ManifestEntryFlags::os_features>("os-features", 0,
                                           "override the OS features of the specified image"),
    flag<&ManifestEntryFlags::annotations>("annotation", 0,
                                           "set an annotation for the specified image"),
};
// The flags of ManifestRemoteFlags (manifest create, add and inspect).
constexpr FlagSpec kManifestRemoteFlagSpecs[] = {
    flag<&ManifestRemoteFlags::tls_verify>(
        "tls-verify", 0,
        "require HTTPS and verify certificates when accessing the registry (default true)"),
    flag<&ManifestRemoteFlags::cert_dir>(
        "cert-dir", 0, "use certificates at the specified path to access the registry"),
    flag<&ManifestRemoteFlags::authfile>("authfile", 0, "path of the authentication file"),
};

constexpr FlagSpec kManifestCreateFlags[] = {
    flag<&ManifestCreateOptions::all>(
        "all", 0, "add all of the lists' images if the images to add are lists"),
    flag<&ManifestCreateOptions::amend>(
        "amend", 'a', "modify an existing list if one with the desired name already exists"),
    flag<&ManifestCreateOptions::annotations>("annotation", 0,
                                              "set an annotation on the list (schicht)"),
};
constexpr FlagGroup kManifestCreateGroups[] = {
    {kManifestCreateFlags},
    FlagGroup{kManifestRemoteFlagSpecs, part_of<&ManifestCreateOptions::remote>()}};
constexpr CommandSpec kManifestCreate = declared<ManifestCreateOptions, cmd_manifest_create>(
    "schicht manifest create [options] LIST [IMAGE...]", any_args(), "-i*", kManifestCreateGroups);

constexpr FlagSpec kManifestAddFlags[] = {
    flag<&ManifestAddOptions::all>("all", 0, "add all of the list's images if the image is a list"),
};
constexpr FlagGroup kManifestAddGroups[] = {
    FlagGroup{kManifestEntryFlagSpecs, part_of<&ManifestAddOptions::entry>()},
    {kManifestAddFlags},
    FlagGroup{kManifestRemoteFlagSpecs, part_of<&ManifestAddOptions::remote>()}};
constexpr CommandSpec kManifestAdd = declared<ManifestAddOptions, cmd_manifest_add>(
    "schicht manifest add [options] LIST IMAGE", any_args(), "li", kManifestAddGroups);

constexpr FlagGroup kManifestAnnotateGroups[] = {
    FlagGroup{kManifestEntryFlagSpecs, part_of<&ManifestAnnotateOptions::entry>()}};
constexpr CommandSpec kManifestAnnotate = declared<ManifestAnnotateOptions, cmd_manifest_annotate>(
    "schicht manifest annotate [options] LIST IMAGE", any_args(), "l-", kManifestAnnotateGroups);

constexpr FlagSpec kManifestInspectIgnoredFlags[] = {
    ignored_flag("creds", 0, true),
    ignored_flag("verbose", 'v', false),
};
constexpr FlagGroup kManifestInspectGroups[] = {
    FlagGroup{kManifestRemoteFlagSpecs, part_of<&ManifestInspectOptions::remote>()},
    {kManifestInspectIgnoredFlags}};
constexpr CommandSpec kManifestInspect = declared<ManifestInspectOptions, cmd_manifest_inspect>(
    "schicht manifest inspect LIST", any_args(), "L", kManifestInspectGroups);

constexpr FlagSpec kTrustShowFlags[] = {
    flag<&TrustShowOptions::policy_file>("policypath", 0, "Path to the policy.json file"),
    flag<&TrustShowOptions::json>("json", 'j', "Output as json"),
    flag<&TrustShowOptions::raw>("raw", 0, "Output raw policy file"),
    flag<&TrustShowOptions::noheading>("noheading", 'n', "Do not print column headings"),
};
constexpr FlagGroup kTrustShowGroups[] = {{kTrustShowFlags}};
constexpr CommandSpec kTrustShow = declared<TrustShowOptions, cmd_image_trust_show>(
    "schicht image trust show [options] [REGISTRY]", max_args(1), "-", kTrustShowGroups);

constexpr FlagSpec kTrustSetFlags[] = {
    flag<&TrustSetOptions::policy_file>("policypath", 0, "Path to the policy.json file"),
    flag<&TrustSetOptions::type>("type", 't',
                                 "Trust type, accept values: signedBy(default), accept, reject"),
    flag<&TrustSetOptions::keys>("pubkeysfile", 'f', "Path of installed public key(s) to trust"),
};
constexpr FlagGroup kTrustSetGroups[] = {{kTrustSetFlags}};
constexpr CommandSpec kTrustSet = declared<TrustSetOptions, cmd_image_trust_set>(
    "schicht image trust set [options] REGISTRY", exact_args(1), "-", kTrustSetGroups);

constexpr FlagSpec kTrustExplainFlags[] = {
    flag<&TrustExplainOptions::signature_policy>("signature-policy", 0,
                                                 "Path to a signature-policy file"),
    flag<&TrustExplainOptions::tls_verify>(
        "tls-verify", 0,
        "Require HTTPS and verify certificates when contacting registries (default true)"),
    flag<&TrustExplainOptions::cert_dir>(
        "cert-dir", 0, "Path to a directory containing TLS certificates and keys"),
    flag<&TrustExplainOptions::authfile>("authfile", 0, "Path of the authentication file"),
    flag<&TrustExplainOptions::policy_only>(
        "policy-only", 0, "Only show the policy that applies; do not list the image's signatures"),
};
constexpr FlagGroup kTrustExplainGroups[] = {{kTrustExplainFlags}};
constexpr CommandSpec kTrustExplain = declared<TrustExplainOptions, cmd_image_trust_explain>(
    "schicht image trust explain [options] REFERENCE", exact_args(1), "i", kTrustExplainGroups);

// A flag of `build` that sets a member of its BuildRequest.
template <auto Member>
constexpr FlagSpec request_flag(std::string_view name, char shorthand, std::string_view help) {
  return flag<&BuildCommandOptions::request, Member>(name, shorthand, help);
}
using builder::BuildRequest;
constexpr FlagSpec kBuildFlags[] = {
    request_flag<&BuildRequest::files>("file", 'f', "Pathname or URL of a Dockerfile"),
    request_flag<&BuildRequest::tags>("tag", 't', "tagged name to apply to the built image"),
    request_flag<&BuildRequest::build_args>("build-arg", 0,
                                            "argument=value to supply to the builder"),
    request_flag<&BuildRequest::target>("target", 0, "set the target build stage to build"),
    request_flag<&BuildRequest::no_cache>(
        "no-cache", 0, "Do not use existing cached images for the container build"),
    request_flag<&BuildRequest::layers>("layers", 0,
                                        "Cache intermediate layers during build (default true)"),
    request_flag<&BuildRequest::labels>("label", 0, "Set metadata for an image (default [])"),
    request_flag<&BuildRequest::identity_label>("identity-label", 0,
                                                "add default identity label (default true)"),
    request_flag<&BuildRequest::annotations>("annotation", 0,
                                             "Set metadata for an image (default [])"),
    request_flag<&BuildRequest::quiet>(
        "quiet", 'q', "refrain from announcing build instructions and image read/write progress"),
    flag<&BuildCommandOptions::iidfile>("iidfile", 0, "file to write the image ID to"),
    request_flag<&BuildRequest::pull>(
        "pull", 0,
        "pull base and SBOM scanner images: missing, always, or never (default missing)"),
    request_flag<&BuildRequest::squash>("squash", 0, "squash all image layers into a single layer"),
    request_flag<&BuildRequest::timestamp>(
        "timestamp", 0,
        "set created timestamp to the specified epoch seconds to allow for deterministic builds"),
    flag<&BuildCommandOptions::tls_verify>(
        "tls-verify", 0, "require HTTPS and verify certificates when accessing the registry"),
    flag<&BuildCommandOptions::authfile>("authfile", 0, "path of the authentication file"),
    flag<&BuildCommandOptions::cert_dir>(
        "cert-dir", 0, "use certificates at the specified path to access the registry"),
    flag<&BuildCommandOptions::signature_policy>("signature-policy", 0,
                                                 "Path to a signature-policy file"),
    ignored_flag("isolation", 0, true),
    request_flag<&BuildRequest::platform>(
        "platform", 0,
        "set the OS/ARCH/VARIANT of the image to the provided value instead of the current "
        "operating system and architecture of the host (for example linux/arm)"),
    request_flag<&BuildRequest::os>("os", 0,
                                    "set the OS to the provided value instead of the current "
                                    "operating system of the host"),
    request_flag<&BuildRequest::arch>("arch", 0,
                                      "set the ARCH of the image to the provided value instead of "
                                      "the architecture of the host"),
    request_flag<&BuildRequest::variant>("variant", 0,
                                         "override the variant of the specified image"),
    flag<&BuildCommandOptions::manifest>("manifest", 0,
                                         "add the image to the specified manifest list. Creates "
                                         "manifest list if it does not exist"),
    request_flag<&BuildRequest::image_format>(
        "format", 0, "format of the built image's manifest and metadata (default \"oci\")"),
    ignored_flag("network", 0, true),
    ignored_flag("force-rm", 0, false),
    ignored_flag("rm", 0, false),
    ignored_flag("jobs", 0, true),
};
constexpr FlagGroup kBuildGroups[] = {{kBuildFlags}};
constexpr CommandSpec kBuild = declared<BuildCommandOptions, cmd_build>(
    "schicht build [options] [CONTEXT]", max_args(1), "", kBuildGroups);

constexpr FlagSpec kImageScpFlags[] = {
    flag<&ImageScpOptions::quiet>("quiet", 'q', "Suppress the output"),
    flag<&ImageScpOptions::remote_command>("remote-command", 0,
                                           "Command line that runs schicht on the other host "
                                           "(default $SCHICHT_REMOTE_COMMAND or schicht)"),
};
constexpr FlagGroup kImageScpGroups[] = {{kImageScpFlags}};
// cmd_image_scp checks its one or two arguments itself (with the message of a minimum).
constexpr CommandSpec kImageScp = declared<ImageScpOptions, cmd_image_scp>(
    "schicht image scp [options] IMAGE [HOST::] | HOST::IMAGE [DST]", any_args(), "i-",
    kImageScpGroups);

constexpr FlagSpec kArtifactAddFlags[] = {
    flag<&ArtifactAddOptions::annotations>(
        "annotation", 0, "Set an annotation on the entry for the specified artifact (KEY=VALUE)"),
    flag<&ArtifactAddOptions::append>("append", 'a', "Append files to an existing artifact"),
    flag<&ArtifactAddOptions::replace>(
        "replace", 0, "If an artifact with the same name already exists, replace and remove it"),
    flag<&ArtifactAddOptions::type>("type", 0, "Set a type for the artifact being added"),
    flag<&ArtifactAddOptions::file_type>(
        "file-type", 0,
        "Set the media type of the artifact files (default application/octet-stream)"),
    flag<&ArtifactAddOptions::subject>(
        "subject", 0, "A local image the artifact refers to (its manifest becomes the subject)"),
};
constexpr FlagGroup kArtifactAddGroups[] = {{kArtifactAddFlags}};
constexpr CommandSpec kArtifactAdd = declared<ArtifactAddOptions, cmd_artifact_add>(
    "schicht artifact add [options] NAME FILE...", min_args(2), "-f*", kArtifactAddGroups);

// The flags of ArtifactRemoteFlags after the registry ones; discover has no --quiet.
constexpr FlagSpec kArtifactRemoteFlagSpecs[] = {
    flag<&ArtifactRemoteFlags::retry>("retry", 0,
                                      "number of times to retry in case of failure (default 3)"),
    flag<&ArtifactRemoteFlags::quiet>("quiet", 'q', "Suppress output information"),
};
constexpr FlagGroup kArtifactRemoteGroups[] = {
    FlagGroup{kRegistryFlagSpecs, part_of<&ArtifactRemoteFlags::registry>()},
    {kArtifactRemoteFlagSpecs}};
constexpr CommandSpec kArtifactPull = declared<ArtifactRemoteFlags, cmd_artifact_pull>(
    "schicht artifact pull [options] NAME", exact_args(1), "-", kArtifactRemoteGroups);
// cmd_artifact_push checks its one or two arguments itself (with the message of a minimum).
constexpr CommandSpec kArtifactPush = declared<ArtifactRemoteFlags, cmd_artifact_push>(
    "schicht artifact push [options] NAME [DESTINATION]", any_args(), "a-", kArtifactRemoteGroups);

constexpr FlagSpec kArtifactAttachFlags[] = {
    flag<&ArtifactAttachOptions::subject>(
        "subject", 0, "The image the artifact refers to: a local image or docker://REFERENCE"),
    flag<&ArtifactAttachOptions::type>("type", 0, "The artifact type (required)"),
    flag<&ArtifactAttachOptions::file_type>(
        "file-type", 0, "The media type of the files (default application/octet-stream)"),
    flag<&ArtifactAttachOptions::annotations>(
        "annotation", 0, "Set an annotation on the artifact's manifest (KEY=VALUE)"),
    flag<&ArtifactAttachOptions::name>("name", 0,
                                       "The name of the artifact stored for a local subject "
                                       "(default REPOSITORY:ref-DIGEST of the subject)"),
};
constexpr FlagGroup kArtifactAttachGroups[] = {
    {kArtifactAttachFlags},
    FlagGroup{kRegistryFlagSpecs,
              part_of<&ArtifactAttachOptions::remote, &ArtifactRemoteFlags::registry>()},
    FlagGroup{kArtifactRemoteFlagSpecs, part_of<&ArtifactAttachOptions::remote>()}};
constexpr CommandSpec kArtifactAttach = declared<ArtifactAttachOptions, cmd_artifact_attach>(
    "schicht artifact attach --subject IMAGE --type TYPE FILE...", min_args(1), "f*",
    kArtifactAttachGroups);

constexpr FlagSpec kArtifactDiscoverFlags[] = {
    flag<&ArtifactDiscoverOptions::format>("format", 0,
                                           "Format the output: json, or a Go template"),
};
constexpr FlagGroup kArtifactDiscoverGroups[] = {
    {kArtifactDiscoverFlags},
    FlagGroup{kRegistryFlagSpecs,
              part_of<&ArtifactDiscoverOptions::remote, &ArtifactRemoteFlags::registry>()},
    FlagGroup{std::span(kArtifactRemoteFlagSpecs).first(1),
              part_of<&ArtifactDiscoverOptions::remote>()}};
constexpr CommandSpec kArtifactDiscover = declared<ArtifactDiscoverOptions, cmd_artifact_discover>(
    "schicht artifact discover [options] IMAGE", exact_args(1), "i", kArtifactDiscoverGroups);

// `image trust` dispatches on its first argument to its subcommands, which parse their flags.
int dispatch_image_trust(Context& ctx, const CommandSpec& /*spec*/, CommandArgs args) {
  return cmd_image_trust(ctx, args);
}
constexpr CommandSpec kImageTrust{.kinds = "", .run = &dispatch_image_trust};

}  // namespace

std::span<const Command> top_level_commands() {
  static constexpr std::array kCommands = {
      Command{"completion", "Generate shell autocompletions", kCompletion},
      Command{"create", "Create but do not start a container", kCreate},
      Command{"events", "Show schicht image events", kEvents},
      Command{"generate-sigstore-key", "Generate a sigstore public/private key pair",
              kGenerateSigstoreKey},
      Command{"history", "Show history of a specified image", kHistory},
      Command{"images", "List images in local storage", kImages},
      Command{"build", "Build an image using instructions from Containerfiles", kBuild},
      Command{"import", "Import a tarball to create a filesystem image", kImport},
      Command{"info", "Display schicht system information", kInfo},
      Command{"inspect", "Display the configuration of a container or image", kInspect},
      Command{"load", "Load image(s) from a tar archive", kLoad},
      Command{"login", "Log in to a container registry", kLogin},
      Command{"logout", "Log out of a container registry", kLogout},
      Command{"pull", "Pull an image from a registry", kPull},
      Command{"push", "Push an image to a specified destination", kPush},
      Command{"ps", "List containers", kPs},
      Command{"rm", "Remove one or more containers", kRm},
      Command{"rmi", "Remove one or more images from local storage", kRmi},
      Command{"save", "Save image(s) to an archive", kSave},
      Command{"search", "Search registry for image", kSearch},
      Command{"serve", "Serve the local store as a read-only registry", kServe},
      Command{"tag", "Add an additional name to a local image", kTag},
      Command{"unshare", "Run a command in a modified user namespace", kUnshare},
      Command{"untag", "Remove a name from a local image", kUntag},
      Command{"version", "Display the schicht version information", kVersion},
  };
  return kCommands;
}

std::span<const Command> image_commands() {
  static constexpr std::array kCommands = {
      Command{"analyze", "Show why an image is big: per-layer waste, efficiency", kImageAnalyze},
      Command{"copy", "Copy an image from one location to another", kImageCopy},
      Command{"diff", "Inspect changes to the image's file systems", kImageDiff},
      Command{"exists", "Check if an image exists in local storage", kImageExists},
      Command{"history", "Show history of a specified image", kHistory},
      Command{"build", "Build an image using instructions from Containerfiles", kBuild},
      Command{"import", "Import a tarball to create a filesystem image", kImport},
      Command{"inspect", "Display the configuration of an image", kImageInspect},
      Command{"list", "List images in local storage", kImages},
      Command{"load", "Load image(s) from a tar archive", kLoad},
      Command{"ls", "List images in local storage", kImages},
      Command{"mount", "Mount an image's root filesystem", kImageMount},
      Command{"prune", "Remove unused images", kImagePrune},
      Command{"pull", "Pull an image from a registry", kPull},
      Command{"push", "Push an image to a specified destination", kPush},
      Command{"rollback", "Point a name back at the image it named before", kImageRollback},
      Command{"rm", "Remove one or more images from local storage", kRmi},
      Command{"save", "Save image(s) to an archive", kSave},
      Command{"sbom", "Write a software bill of materials of an image's packages", kImageSbom},
      Command{"scp", "Securely copy an image from one host to another", kImageScp},
      Command{"search", "Search registry for image", kSearch},
      Command{"sign", "Sign an image", kImageSign},
      Command{"sync", "Copy all the images from a SOURCE to a DESTINATION", kImageSync},
      Command{"tag", "Add an additional name to a local image", kTag},
      Command{"tag-log", "Show every move of image names", kImageTagLog},
      Command{"tree", "Print layer hierarchy of an image in a tree format", kImageTree},
      Command{"umount", "Unmount an image's root filesystem", kImageUnmount},
      Command{"unmount", "Unmount an image's root filesystem", kImageUnmount},
      Command{"trust", "Manage container image trust policy", kImageTrust},
      Command{"untag", "Remove a name from a local image", kUntag},
  };
  return kCommands;
}

std::span<const Command> container_commands() {
  static constexpr std::array kCommands = {
      Command{"create", "Create but do not start a container", kCreate},
      Command{"exists", "Check if a container exists in local storage", kContainerExists},
      Command{"inspect", "Display the configuration of a container", kContainerInspect},
      Command{"list", "List containers", kPs},
      Command{"ls", "List containers", kPs},
      Command{"ps", "List containers", kPs},
      Command{"rm", "Remove one or more containers", kRm},
  };
  return kCommands;
}

std::span<const Command> system_commands() {
  static constexpr std::array kCommands = {
      Command{"check", "Check the store for consistency; repair it", kSystemCheck},
      Command{"df", "Show schicht disk usage", kSystemDf},
      Command{"events", "Show schicht image events", kEvents},
      Command{"info", "Display schicht system information", kInfo},
      Command{"prune", "Remove unused data", kSystemPrune},
  };
  return kCommands;
}

std::span<const Command> artifact_commands() {
  static constexpr std::array kCommands = {
      Command{"add", "Add an OCI artifact to the local store", kArtifactAdd},
      Command{"attach", "Attach files to an image as an artifact that refers to it",
              kArtifactAttach},
      Command{"discover", "List the artifacts that refer to an image", kArtifactDiscover},
      Command{"extract", "Extract an OCI artifact to a local path", kArtifactExtract},
      Command{"inspect", "Inspect an OCI artifact", kArtifactInspect},
      Command{"ls", "List OCI artifacts", kArtifactLs},
      Command{"pull", "Pull an OCI artifact", kArtifactPull},
      Command{"push", "Push an OCI artifact", kArtifactPush},
      Command{"rm", "Remove an OCI artifact", kArtifactRm},
  };
  return kCommands;
}

std::span<const Command> image_trust_commands() {
  static constexpr std::array kCommands = {
      Command{"explain", "Show the policy that applies to an image and its signatures",
              kTrustExplain},
      Command{"set", "Set default trust policy or a new trust policy for a registry", kTrustSet},
      Command{"show", "Display trust policy for the system", kTrustShow},
  };
  return kCommands;
}

std::span<const Command> manifest_commands() {
  static constexpr std::array kCommands = {
      Command{"add", "Add images to a manifest list or image index", kManifestAdd},
      Command{"annotate",
              "Add or update information about an entry in a manifest list or "
              "image index",
              kManifestAnnotate},
      Command{"create", "Create manifest list or image index", kManifestCreate},
      Command{"exists", "Check if a manifest list exists in local storage", kManifestExists},
      Command{"inspect", "Display the contents of a manifest list or image index",
              kManifestInspect},
      Command{"push", "Push a manifest list or image index to a registry", kManifestPush},
      Command{"remove", "Remove an entry from a manifest list or image index", kManifestRemove},
      Command{"rm", "Remove manifest list or image index from local storage", kManifestRm},
  };
  return kCommands;
}

}  // namespace schicht::cli
