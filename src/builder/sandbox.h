// Runs a command inside a root filesystem directory the way buildah's chroot isolation does:
// new mount, PID, UTS and IPC namespaces (plus, when not running as root, a user namespace
// mapping the caller to root and its subordinate ids to the others: id_map.h), the host's network,
// a minimal /dev, a fresh /proc, /sys read-only, the host's /etc/resolv.conf and /etc/hosts, then
// chroot, user, working directory, exec. No daemon and no OCI runtime: the mounts live in a mount
// namespace that dies with the step.
#pragma once

#include <string>
#include <vector>

namespace schicht::builder {

struct RunSpec {
  std::string rootfs;             // host path of the root filesystem
  std::vector<std::string> argv;  // argv[0] without '/' is looked up in env's PATH
  // KEY=VALUE, exactly as given, except that HOME is added from /etc/passwd when absent (as
  // buildah does).
  std::vector<std::string> env;
  // Created when missing (0755, owned by the step's user: buildah creates it for the RUN).
  std::string workdir = "/";
  std::string user;  // USER spec: "", name, uid, name:group, uid:gid (see run_user.h)
  // The UTS hostname, /etc/hostname and $HOSTNAME (unless env sets it); empty: 12 random hex
  // digits, as buildah names the step's container.
  std::string hostname;
  // The image's VOLUMEs: created when missing (they stay in the layer, as in podman's builds),
  // and what the command writes under them is discarded (a tmpfs holding a copy of what was
  // there), as buildah does.
  std::vector<std::string> volumes;
  int stdout_fd = -1;  // -1: inherit; stdin is always /dev/null
  int stderr_fd = -1;
  // buildah 1.28 leaves the mount points it had to create (/dev, /proc, /sys, /run as empty
  // directories; /etc/hosts, /etc/hostname, /etc/resolv.conf as empty files) in the root
  // filesystem, so they land in the step's layer. true does the same (layers match podman's);
  // false removes them again when they are still empty.
  bool keep_mount_points = true;
};

// The mount points a run created in the root filesystem, relative to it ("dev", "etc/hosts"),
// in creation order (parents first).
using CreatedPaths = std::vector<std::string>;

struct RunOutcome {
  CreatedPaths created;
  // The signal that killed the command, 0 if it exited (podman reports a killed RUN as
  // "exit status 1", which 128+n alone cannot tell from `exit 128+n`).
  int signal = 0;
};

// Runs the command and returns its exit status (128+n when killed by signal n; a command
// that cannot be exec'd prints podman's message on its stderr and gives 1). Throws when the
// sandbox cannot be set up (kNotFound for an unknown user, kIo for a failed mount).
// `outcome`, when given, is filled in (also when throwing).
int run_in_rootfs(const RunSpec& spec, RunOutcome* outcome = nullptr);

}  // namespace schicht::builder
