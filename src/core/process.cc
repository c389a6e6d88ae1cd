#include "core/process.h"

#include <sys/wait.h>

#include <cerrno>

#include "core/io.h"

namespace schicht {

int wait_for(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

ChildExit collect_child(pid_t pid, int fd, std::string_view what) {
  ChildExit exit;
  try {
    FdReader reader(fd, std::string(what));
    exit.output = read_all(reader, size_t{1} << 30, what);
  } catch (...) {
    wait_for(pid);
    throw;
  }
  exit.status = wait_for(pid);
  return exit;
}

}  // namespace schicht
