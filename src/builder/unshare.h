// `unshare`: a command run as root of a new user namespace (with its own mount namespace) that
// maps the caller's ids as rootless builds map them (id_map.h), so it may read, change and
// mount what the store's mapped ids own. The namespace lives as long as the command.
#pragma once

#include <string>
#include <vector>

#include "builder/id_map.h"

namespace schicht::builder {

struct Unshared {
  int exit_code = 0;
  // Set when the command could not be started: podman's message, and exit_code is podman's
  // (127 not found: `exec: "X": executable file not found in $PATH`; 126 not executable:
  // `fork/exec X: permission denied`).
  std::string start_error;
};

// Runs `argv` (a bare name is looked up in $PATH as Go's exec.LookPath does) with `env` added
// to the environment and waits: the command's exit code, 255 when a signal ended it (podman's
// -1). Failures to set the namespace up are thrown.
Unshared run_in_user_namespace(const IdMapping& mapping, const std::vector<std::string>& argv,
                               const std::vector<std::pair<std::string, std::string>>& env);

}  // namespace schicht::builder
