#include "build/run_step.h"

#include <algorithm>
#include <random>

#include <fmt/format.h>

#include "build/sandbox.h"

namespace schicht::build {

int run_command(const RunCommand& command) {
  RunSpec spec;
  spec.rootfs = command.rootfs;
  spec.argv = command.argv;
  spec.env = command.env;
  spec.workdir = command.workdir.empty() ? "/" : command.workdir;
  spec.user = command.user;
  // Like buildah: a hostname of 12 hex digits (its container's ID), also as $HOSTNAME.
  std::random_device random;
  spec.hostname = fmt::format("{:08x}{:04x}", random(), random() & 0xffff);
  if (std::none_of(spec.env.begin(), spec.env.end(),
                   [](const std::string& e) { return e.starts_with("HOSTNAME="); })) {
    spec.env.push_back("HOSTNAME=" + spec.hostname);
  }
  return run_in_rootfs(spec);
}

}  // namespace schicht::build
