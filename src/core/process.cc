#include "core/process.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

#include "core/error.h"
#include "core/fs.h"
#include "core/io.h"

extern char** environ;

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

bool exited_zero(int status) {
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

ChildExit run_collecting(std::vector<std::string> argv, std::string_view what, bool with_stderr) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) fail_errno("create a pipe for", std::string(what));
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), 1);
  if (with_stderr) {
    posix_spawn_file_actions_adddup2(&actions, write_end.get(), 2);
  } else {
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  }
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    errno = rc;
    fail_errno(fmt::format("run {} to", argv[0]), std::string(what));
  }
  write_end.reset();
  return collect_child(pid, read_end.get(), what);
}

}  // namespace schicht
