// The names and IDs `create` gives a container: a random 64-hex ID, and without --name a
// podman-style adjective_surname no container has yet.
#pragma once

#include <set>
#include <string>

namespace schicht::containers {

// `bytes` random bytes in lower-case hex (32 make a container ID).
std::string random_hex(size_t bytes);

// A random adjective_surname, as podman's generator makes them.
std::string random_name();

// A random name not in `taken`. There are only 144 of the plain ones, so after a few that are
// taken a number is appended, as podman's generator does when it retries.
std::string unused_random_name(const std::set<std::string>& taken);

}  // namespace schicht::containers
