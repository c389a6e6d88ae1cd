// Child processes: waiting for one, and collecting what it reports through a pipe before it
// exits. Both retry when a signal interrupts them.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

namespace schicht {

// Waits for `pid` to exit; returns its waitpid status.
int wait_for(pid_t pid);

struct ChildExit {
  std::string output;  // everything read from the pipe
  int status = 0;      // waitpid status
};

// Reads the pipe `fd` to its end, then waits for `pid`. The child is waited for even when
// reading fails (the error is then thrown).
ChildExit collect_child(pid_t pid, int fd, std::string_view what);

}  // namespace schicht
