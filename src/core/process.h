// Child processes: waiting for one, and collecting what it reports through a pipe before it
// exits. Both retry when a signal interrupts them.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

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

// Runs `argv` (argv[0] a path, or a name looked up in PATH) with stdin from /dev/null and its
// stdout (and stderr, unless `with_stderr` is false: then /dev/null) collected, and waits for
// it. Throws when it cannot be started.
ChildExit run_collecting(std::vector<std::string> argv, std::string_view what,
                         bool with_stderr = true);

// Whether a waitpid status is a clean exit 0.
bool exited_zero(int status);

}  // namespace schicht
