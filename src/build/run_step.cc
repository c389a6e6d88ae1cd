#include "build/run_step.h"

#include "build/sandbox.h"

namespace schicht::build {

int run_command(const RunCommand& command) {
  RunSpec spec;
  spec.rootfs = command.rootfs;
  spec.argv = command.argv;
  spec.env = command.env;
  spec.workdir = command.workdir.empty() ? "/" : command.workdir;
  spec.user = command.user;
  return run_in_rootfs(spec);
}

}  // namespace schicht::build
