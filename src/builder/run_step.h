// RUN's command inside a root filesystem, through the sandbox (sandbox.h).
#pragma once

#include <string>
#include <vector>

namespace schicht::builder {

struct RunCommand {
  std::string rootfs;
  std::vector<std::string> argv, env;
  std::string workdir, user;
  std::vector<std::string> volumes;  // the image's VOLUMEs
};

// Returns the command's exit status.
int run_command(const RunCommand& command);

}  // namespace schicht::builder
