// Rootless builds: the ids RUN's user namespace maps. The caller's uid and gid become root;
// with subordinate ranges for the caller in /etc/subuid and /etc/subgid and the setuid helpers
// newuidmap and newgidmap (package uidmap) installed, container ids 1.. map to those ranges,
// as buildah maps them, so RUN can run as (and chown to) other users. Without them only root
// exists in the namespace. Also the way back: a host owner as the layer records it, and
// work on a tree those ids own, done inside such a namespace.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace schicht::builder {

struct IdRange {
  uint32_t container = 0;
  uint32_t host = 0;
  uint32_t size = 0;
};

struct IdMapping {
  std::vector<IdRange> uids, gids;
  // Whether ids beyond 0 are mapped (subordinate ranges through newuidmap/newgidmap).
  bool subordinate = false;
  // Without subordinate ranges: why not, for the error of a RUN as another user.
  std::string why_not;
  // The setuid helpers that write the mapping, when found.
  std::string newuidmap, newgidmap;
};

// The mapping for this process when not root; nullptr as root (also inside a user namespace
// that made it root: ask before entering one). Not thread-safe.
const IdMapping* rootless_mapping();

// A host owner as the container sees it; ids outside the mapping stay as they are.
uint32_t to_container(const std::vector<IdRange>& ranges, uint32_t host);

// Writes the mapping for process `pid` (which has just unshared its user namespace): through
// newuidmap/newgidmap when subordinate, else directly (setgroups denied).
void write_mapping(pid_t pid, const IdMapping& mapping);

// Runs `fn` in a child process that is root in a new user namespace with `mapping` (so it may
// read and remove whatever the mapped ids own) and waits for it; an Error thrown by `fn` is
// thrown here.
void run_as_mapped_root(const IdMapping& mapping, const std::function<void()>& fn);

// The same for a `fn` with a result, which comes back through a pipe.
std::string run_as_mapped_root_for(const IdMapping& mapping,
                                   const std::function<std::string()>& fn);

}  // namespace schicht::builder
