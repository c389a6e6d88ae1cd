#include <array>

#include "cli/commands.h"

namespace schicht::cli {

std::span<const Command> top_level_commands() {
  static constexpr std::array kCommands = {
      Command{"images", "List images in local storage", cmd_images},
      Command{"import", "Import a tarball to create a filesystem image", cmd_import},
      Command{"load", "Load image(s) from a tar archive", cmd_load},
      Command{"save", "Save image(s) to an archive", cmd_save},
      Command{"version", "Display the schicht version information", cmd_version},
  };
  return kCommands;
}

std::span<const Command> image_commands() {
  static constexpr std::array kCommands = {
      Command{"import", "Import a tarball to create a filesystem image", cmd_import},
      Command{"list", "List images in local storage", cmd_images},
      Command{"load", "Load image(s) from a tar archive", cmd_load},
      Command{"ls", "List images in local storage", cmd_images},
      Command{"save", "Save image(s) to an archive", cmd_save},
  };
  return kCommands;
}

}  // namespace schicht::cli
