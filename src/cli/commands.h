// The command table: every command schicht offers, and the functions that run them.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "cli/context.h"

namespace schicht::cli {

int cmd_load(Context& ctx, CommandArgs args);
int cmd_save(Context& ctx, CommandArgs args);
int cmd_import(Context& ctx, CommandArgs args);
int cmd_build(Context& ctx, CommandArgs args);
int cmd_images(Context& ctx, CommandArgs args);
int cmd_version(Context& ctx, CommandArgs args);
int cmd_info(Context& ctx, CommandArgs args);
int cmd_events(Context& ctx, CommandArgs args);
int cmd_tag(Context& ctx, CommandArgs args);
int cmd_untag(Context& ctx, CommandArgs args);
int cmd_rmi(Context& ctx, CommandArgs args);
int cmd_image_exists(Context& ctx, CommandArgs args);
int cmd_image_diff(Context& ctx, CommandArgs args);
int cmd_image_sbom(Context& ctx, CommandArgs args);
int cmd_inspect(Context& ctx, CommandArgs args);
int cmd_search(Context& ctx, CommandArgs args);
int cmd_serve(Context& ctx, CommandArgs args);
int cmd_unshare(Context& ctx, CommandArgs args);
int cmd_image_inspect(Context& ctx, CommandArgs args);
// What inspect, image inspect and container inspect share: every object of `names` found as
// `type` ("all", "image", "container", ...) printed, then podman's errors; the exit code.
// `latest`: the container created last instead of names.
int inspect_objects(Context& ctx, const std::vector<std::string>& names, const std::string& format,
                    const std::string& type, bool latest);
int cmd_history(Context& ctx, CommandArgs args);
int cmd_pull(Context& ctx, CommandArgs args);
int cmd_push(Context& ctx, CommandArgs args);
int cmd_login(Context& ctx, CommandArgs args);
int cmd_logout(Context& ctx, CommandArgs args);
int cmd_image_prune(Context& ctx, CommandArgs args);
int cmd_image_tree(Context& ctx, CommandArgs args);
int cmd_image_mount(Context& ctx, CommandArgs args);
int cmd_image_analyze(Context& ctx, CommandArgs args);
int cmd_image_copy(Context& ctx, CommandArgs args);
int cmd_image_sync(Context& ctx, CommandArgs args);
int cmd_image_scp(Context& ctx, CommandArgs args);
int cmd_image_unmount(Context& ctx, CommandArgs args);
int cmd_image_tag_log(Context& ctx, CommandArgs args);
int cmd_image_rollback(Context& ctx, CommandArgs args);
int cmd_create(Context& ctx, CommandArgs args);
int cmd_ps(Context& ctx, CommandArgs args);
int cmd_rm(Context& ctx, CommandArgs args);
int cmd_container_exists(Context& ctx, CommandArgs args);
int cmd_container_inspect(Context& ctx, CommandArgs args);
int cmd_system_prune(Context& ctx, CommandArgs args);
int cmd_system_df(Context& ctx, CommandArgs args);
int cmd_system_check(Context& ctx, CommandArgs args);
int cmd_manifest_create(Context& ctx, CommandArgs args);
int cmd_manifest_add(Context& ctx, CommandArgs args);
int cmd_manifest_annotate(Context& ctx, CommandArgs args);
int cmd_manifest_remove(Context& ctx, CommandArgs args);
int cmd_manifest_rm(Context& ctx, CommandArgs args);
int cmd_manifest_exists(Context& ctx, CommandArgs args);
int cmd_manifest_inspect(Context& ctx, CommandArgs args);
int cmd_manifest_push(Context& ctx, CommandArgs args);
// skopeo's generate-sigstore-key.
int cmd_generate_sigstore_key(Context& ctx, CommandArgs args);
// `image sign`: GPG simple signatures for images in a registry.
int cmd_image_sign(Context& ctx, CommandArgs args);
int cmd_completion(Context& ctx, CommandArgs args);
int cmd_artifact_add(Context& ctx, CommandArgs args);
int cmd_artifact_attach(Context& ctx, CommandArgs args);
int cmd_artifact_discover(Context& ctx, CommandArgs args);
int cmd_artifact_extract(Context& ctx, CommandArgs args);
int cmd_artifact_inspect(Context& ctx, CommandArgs args);
int cmd_artifact_ls(Context& ctx, CommandArgs args);
int cmd_artifact_pull(Context& ctx, CommandArgs args);
int cmd_artifact_push(Context& ctx, CommandArgs args);
int cmd_artifact_rm(Context& ctx, CommandArgs args);
// `image trust show|set|explain`: dispatches on its first argument.
int cmd_image_trust(Context& ctx, CommandArgs args);

// Top-level commands, and the `image` group's subcommands (podman's aliases included).
std::span<const Command> top_level_commands();
std::span<const Command> image_commands();
std::span<const Command> system_commands();
std::span<const Command> container_commands();
std::span<const Command> manifest_commands();
std::span<const Command> artifact_commands();

}  // namespace schicht::cli
