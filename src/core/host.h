// What `info` reports of this machine, as podman's host section has it: the OS release, the
// kernel, memory and swap, CPUs, uptime. Read from /etc/os-release, /proc and the kernel on
// each call; a value that cannot be read is empty or zero.
#pragma once

#include <cstdint>
#include <string>

namespace schicht {

struct HostFacts {
  std::string os, architecture;  // Go's names for this machine's platform
  int cpus = 0;                  // the CPUs this process may run on (Go's runtime.NumCPU)
  // /etc/os-release (else /usr/lib/os-release): ID, VARIANT_ID, VERSION_ID, VERSION_CODENAME.
  std::string distribution, variant, version, codename;
  std::string hostname, kernel;
  uint64_t mem_free = 0, mem_total = 0, swap_free = 0, swap_total = 0;  // bytes
  std::string uptime;                                                   // podman's "0h 6m 53.00s"
  bool rootless = false;
};

HostFacts host_facts();

}  // namespace schicht
