#include <array>

#include "cli/commands.h"

namespace schicht::cli {

std::span<const Command> top_level_commands() {
  static constexpr std::array kCommands = {
      Command{"completion", "Generate shell autocompletions", cmd_completion},
      Command{"create", "Create but do not start a container", cmd_create},
      Command{"events", "Show schicht image events", cmd_events},
      Command{"generate-sigstore-key", "Generate a sigstore public/private key pair",
              cmd_generate_sigstore_key},
      Command{"history", "Show history of a specified image", cmd_history},
      Command{"images", "List images in local storage", cmd_images},
      Command{"build", "Build an image using instructions from Containerfiles", cmd_build},
      Command{"import", "Import a tarball to create a filesystem image", cmd_import},
      Command{"info", "Display schicht system information", cmd_info},
      Command{"inspect", "Display the configuration of a container or image", cmd_inspect},
      Command{"load", "Load image(s) from a tar archive", cmd_load},
      Command{"login", "Log in to a container registry", cmd_login},
      Command{"logout", "Log out of a container registry", cmd_logout},
      Command{"pull", "Pull an image from a registry", cmd_pull},
      Command{"push", "Push an image to a specified destination", cmd_push},
      Command{"ps", "List containers", cmd_ps},
      Command{"rm", "Remove one or more containers", cmd_rm},
      Command{"rmi", "Remove one or more images from local storage", cmd_rmi},
      Command{"save", "Save image(s) to an archive", cmd_save},
      Command{"search", "Search registry for image", cmd_search},
      Command{"serve", "Serve the local store as a read-only registry", cmd_serve},
      Command{"tag", "Add an additional name to a local image", cmd_tag},
      Command{"unshare", "Run a command in a modified user namespace", cmd_unshare},
      Command{"untag", "Remove a name from a local image", cmd_untag},
      Command{"version", "Display the schicht version information", cmd_version},
  };
  return kCommands;
}

std::span<const Command> image_commands() {
  static constexpr std::array kCommands = {
      Command{"analyze", "Show why an image is big: per-layer waste, efficiency",
              cmd_image_analyze},
      Command{"copy", "Copy an image from one location to another", cmd_image_copy},
      Command{"diff", "Inspect changes to the image's file systems", cmd_image_diff},
      Command{"exists", "Check if an image exists in local storage", cmd_image_exists},
      Command{"history", "Show history of a specified image", cmd_history},
      Command{"build", "Build an image using instructions from Containerfiles", cmd_build},
      Command{"import", "Import a tarball to create a filesystem image", cmd_import},
      Command{"inspect", "Display the configuration of an image", cmd_image_inspect},
      Command{"list", "List images in local storage", cmd_images},
      Command{"load", "Load image(s) from a tar archive", cmd_load},
      Command{"ls", "List images in local storage", cmd_images},
      Command{"mount", "Mount an image's root filesystem", cmd_image_mount},
      Command{"prune", "Remove unused images", cmd_image_prune},
      Command{"pull", "Pull an image from a registry", cmd_pull},
      Command{"push", "Push an image to a specified destination", cmd_push},
      Command{"rollback", "Point a name back at the image it named before", cmd_image_rollback},
      Command{"rm", "Remove one or more images from local storage", cmd_rmi},
      Command{"save", "Save image(s) to an archive", cmd_save},
      Command{"sbom", "Write a software bill of materials of an image's packages", cmd_image_sbom},
      Command{"scp", "Securely copy an image from one host to another", cmd_image_scp},
      Command{"search", "Search registry for image", cmd_search},
      Command{"sign", "Sign an image", cmd_image_sign},
      Command{"sync", "Copy all the images from a SOURCE to a DESTINATION", cmd_image_sync},
      Command{"tag", "Add an additional name to a local image", cmd_tag},
      Command{"tag-log", "Show every move of image names", cmd_image_tag_log},
      Command{"tree", "Print layer hierarchy of an image in a tree format", cmd_image_tree},
      Command{"umount", "Unmount an image's root filesystem", cmd_image_unmount},
      Command{"unmount", "Unmount an image's root filesystem", cmd_image_unmount},
      Command{"trust", "Manage container image trust policy", cmd_image_trust},
      Command{"untag", "Remove a name from a local image", cmd_untag},
  };
  return kCommands;
}

std::span<const Command> container_commands() {
  static constexpr std::array kCommands = {
      Command{"create", "Create but do not start a container", cmd_create},
      Command{"exists", "Check if a container exists in local storage", cmd_container_exists},
      Command{"inspect", "Display the configuration of a container", cmd_container_inspect},
      Command{"list", "List containers", cmd_ps},
      Command{"ls", "List containers", cmd_ps},
      Command{"ps", "List containers", cmd_ps},
      Command{"rm", "Remove one or more containers", cmd_rm},
  };
  return kCommands;
}

std::span<const Command> system_commands() {
  static constexpr std::array kCommands = {
      Command{"check", "Check the store for consistency; repair it", cmd_system_check},
      Command{"df", "Show schicht disk usage", cmd_system_df},
      Command{"events", "Show schicht image events", cmd_events},
      Command{"info", "Display schicht system information", cmd_info},
      Command{"prune", "Remove unused data", cmd_system_prune},
  };
  return kCommands;
}

std::span<const Command> artifact_commands() {
  static constexpr std::array kCommands = {
      Command{"add", "Add an OCI artifact to the local store", cmd_artifact_add},
      Command{"attach", "Attach files to an image as an artifact that refers to it",
              cmd_artifact_attach},
      Command{"discover", "List the artifacts that refer to an image", cmd_artifact_discover},
      Command{"extract", "Extract an OCI artifact to a local path", cmd_artifact_extract},
      Command{"inspect", "Inspect an OCI artifact", cmd_artifact_inspect},
      Command{"ls", "List OCI artifacts", cmd_artifact_ls},
      Command{"pull", "Pull an OCI artifact", cmd_artifact_pull},
      Command{"push", "Push an OCI artifact", cmd_artifact_push},
      Command{"rm", "Remove an OCI artifact", cmd_artifact_rm},
  };
  return kCommands;
}

std::span<const Command> manifest_commands() {
  static constexpr std::array kCommands = {
      Command{"add", "Add images to a manifest list or image index", cmd_manifest_add},
      Command{"annotate",
              "Add or update information about an entry in a manifest list or "
              "image index",
              cmd_manifest_annotate},
      Command{"create", "Create manifest list or image index", cmd_manifest_create},
      Command{"exists", "Check if a manifest list exists in local storage", cmd_manifest_exists},
      Command{"inspect", "Display the contents of a manifest list or image index",
              cmd_manifest_inspect},
      Command{"push", "Push a manifest list or image index to a registry", cmd_manifest_push},
      Command{"remove", "Remove an entry from a manifest list or image index", cmd_manifest_remove},
      Command{"rm", "Remove manifest list or image index from local storage", cmd_manifest_rm},
  };
  return kCommands;
}

}  // namespace schicht::cli
