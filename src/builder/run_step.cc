#include "builder/run_step.h"

#include "builder/sandbox.h"

namespace schicht::builder {

int run_command(const RunCommand& command) {
  RunSpec spec;
  spec.rootfs = command.rootfs;
  spec.argv = command.argv;
  spec.env = command.env;
  spec.workdir = command.workdir.empty() ? "/" : command.workdir;
  spec.user = command.user;
  // The sandbox names the step's host like buildah (12 hex digits, also as $HOSTNAME).
  spec.volumes = command.volumes;
  RunOutcome outcome;
  int status = run_in_rootfs(spec, &outcome);
  // podman fails a RUN killed by a signal with "exit status 1".
  return outcome.signal != 0 ? 1 : status;
}

}  // namespace schicht::builder
