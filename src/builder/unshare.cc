#include "builder/unshare.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>

#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "core/error.h"
#include "core/fs.h"
#include "core/process.h"

namespace schicht::builder {
namespace {

// Go's exec.LookPath: a name with a '/' is used as it is; else the first regular file with an
// execute bit in $PATH.
std::optional<std::string> look_path(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path = std::getenv("PATH");
  std::string_view dirs = path != nullptr ? path : "";
  while (true) {
    size_t colon = dirs.find(':');
    std::string dir(dirs.substr(0, colon));
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111) != 0) {
      return candidate;
    }
    if (colon == std::string_view::npos) return std::nullopt;
    dirs.remove_prefix(colon + 1);
  }
}

// Go's text for an errno: strerror with a lower-case first letter.
std::string go_errno_text(int err) {
  std::string text = std::strerror(err);
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

}  // namespace

Unshared run_in_user_namespace(const IdMapping& mapping, const std::vector<std::string>& argv,
                               const std::vector<std::pair<std::string, std::string>>& env) {
  std::optional<std::string> program = look_path(argv.front());
  if (!program) {
    return {127, fmt::format("exec: {:?}: executable file not found in $PATH", argv.front())};
  }
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // The environment is built here: after fork only async-signal-safe calls are made.
  std::vector<std::string> entries;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view entry = *e;
    std::string_view name = entry.substr(0, entry.find('='));
    bool replaced =
        std::any_of(env.begin(), env.end(), [&](const auto& kv) { return kv.first == name; });
    if (!replaced) entries.emplace_back(entry);
  }
  for (const auto& [name, value] : env) entries.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (auto& e : entries) envp.push_back(e.data());
  envp.push_back(nullptr);
  int to_child[2], from_child[2];
  if (::pipe2(to_child, O_CLOEXEC) != 0 || ::pipe2(from_child, O_CLOEXEC) != 0)
    fail_errno("create a pipe", "");
  UniqueFd go_read(to_child[0]), go_write(to_child[1]);
  UniqueFd report_read(from_child[0]), report_write(from_child[1]);
  pid_t pid = ::fork();
  if (pid < 0) fail_errno("fork", "");
  if (pid == 0) {
    // Only async-signal-safe calls from here: report "R" when the namespaces exist, then,
    // after the parent wrote the mapping, exec; the pipe closes on success, or carries
    // "E<errno>" (exec) or "N<errno>" (namespaces).
    go_write.reset();
    report_read.reset();
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::prctl(PR_SET_DUMPABLE, 1);
    char report[16];
    if (::unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) {
      int n = std::snprintf(report, sizeof report, "N%d", errno);
      (void)!::write(report_write.get(), report, static_cast<size_t>(n));
      _exit(125);
    }
    if (::write(report_write.get(), "R", 1) != 1) _exit(125);
    char c;
    if (::read(go_read.get(), &c, 1) != 1) _exit(125);
    // Mounts made in here (image mount) stay in here.
    ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr);
    ::execve(program->c_str(), args.data(), envp.data());
    int n = std::snprintf(report, sizeof report, "E%d", errno);
    (void)!::write(report_write.get(), report, static_cast<size_t>(n));
    _exit(127);
  }
  go_read.reset();
  report_write.reset();
  char ready = 0;
  if (::read(report_read.get(), &ready, 1) != 1 || ready != 'R') {
    auto [rest, status] = collect_child(pid, report_read.get(), "unshare");
    int err = std::atoi(rest.c_str());
    fail(ErrorKind::kIo, fmt::format("creating a user namespace: {}",
                                     err != 0 ? go_errno_text(err) : "the process failed"));
  }
  try {
    write_mapping(pid, mapping);
  } catch (...) {
    ::kill(pid, SIGKILL);
    wait_for(pid);
    throw;
  }
  if (::write(go_write.get(), "G", 1) != 1) fail_errno("write", "to the unshare process");
  go_write.reset();
  // While the command runs, the terminal's signals go to it (same process group); this
  // process only waits.
  struct sigaction ignore {
  }, old_int{}, old_quit{};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGINT, &ignore, &old_int);
  ::sigaction(SIGQUIT, &ignore, &old_quit);
  auto [report, status] = collect_child(pid, report_read.get(), "unshare");
  ::sigaction(SIGINT, &old_int, nullptr);
  ::sigaction(SIGQUIT, &old_quit, nullptr);
  if (report.starts_with("E")) {
    int err = std::atoi(report.c_str() + 1);
    int code = err == ENOENT ? 127 : err == EACCES || err == EPERM ? 126 : 125;
    return {code, fmt::format("fork/exec {}: {}", *program, go_errno_text(err))};
  }
  if (WIFEXITED(status)) return {WEXITSTATUS(status), ""};
  return {255, ""};
}

}  // namespace schicht::builder
