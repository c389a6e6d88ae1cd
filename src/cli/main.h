// The command-line entry point: parses global flags, dispatches to a command, maps errors to
// podman's exit codes and messages.
#pragma once

namespace schicht::cli {

int run(int argc, char** argv);

}  // namespace schicht::cli
