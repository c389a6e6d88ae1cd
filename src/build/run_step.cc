#include "build/run_step.h"

#include "core/error.h"

// The sandbox (buildah's chroot isolation) is its own part of this module; until it is there,
// RUN says so instead of running anything outside a sandbox.
#if __has_include("build/sandbox.h")
#include "build/sandbox.h"
#define SCHICHT_HAVE_SANDBOX 1
#endif

namespace schicht::build {

int run_command(const RunCommand& command) {
#ifdef SCHICHT_HAVE_SANDBOX
  RunSpec spec;
  spec.rootfs = command.rootfs;
  spec.argv = command.argv;
  spec.env = command.env;
  spec.workdir = command.workdir.empty() ? "/" : command.workdir;
  spec.user = command.user;
  return run_in_rootfs(spec);
#else
  (void)command;
  fail(ErrorKind::kUnsupported, "RUN is not supported by this build of schicht (no sandbox)");
#endif
}

}  // namespace schicht::build
