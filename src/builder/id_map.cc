#include "builder/id_map.h"

#include <fcntl.h>
#include <pwd.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstring>

#include <fmt/format.h>

#include "builder/run_user.h"
#include "core/error.h"
#include "core/exception.h"
#include "core/fs.h"
#include "core/process.h"

namespace schicht::builder {
namespace {

// The caller's ranges in a subid file ("name:start:count" or "uid:start:count" lines).
std::vector<IdRange> read_subids(const char* file, const std::string& name, uid_t id) {
  std::vector<IdRange> out;
  std::string text;
  try {
    text = read_file(file);
  } catch (const Error&) {
    return out;
  }
  uint32_t next = 1;
  for (const auto& f : colon_records(text)) {
    if (f.size() < 3 || (f[0] != name && f[0] != std::to_string(id))) continue;
    auto host = parse_id(f[1]);
    auto size = parse_id(f[2]);
    // A malformed line is skipped: newuidmap would refuse it too.
    if (!host || !size || *size == 0) continue;
    out.push_back({next, *host, *size});
    next += *size;
  }
  return out;
}

// Where a setuid helper is installed, looked for in the system directories only (never
// through PATH: it runs with privileges); empty when it is not.
std::string find_helper(const char* name) {
  for (const char* dir : {"/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin"}) {
    std::string path = std::string(dir) + "/" + name;
    if (::access(path.c_str(), X_OK) == 0) return path;
  }
  return {};
}

IdMapping compute_mapping() {
  IdMapping m;
  uid_t uid = ::geteuid();
  gid_t gid = ::getegid();
  m.uids.push_back({0, uid, 1});
  m.gids.push_back({0, gid, 1});
  const passwd* pw = ::getpwuid(uid);
  std::string name = pw != nullptr ? pw->pw_name : std::to_string(uid);
  std::vector<IdRange> subuids = read_subids("/etc/subuid", name, uid);
  std::vector<IdRange> subgids = read_subids("/etc/subgid", name, uid);
  m.newuidmap = find_helper("newuidmap");
  m.newgidmap = find_helper("newgidmap");
  if (subuids.empty() || subgids.empty()) {
    m.why_not =
        fmt::format("no subordinate {} for user {:?} in {}", subuids.empty() ? "uids" : "gids",
                    name, subuids.empty() ? "/etc/subuid" : "/etc/subgid");
  } else if (m.newuidmap.empty() || m.newgidmap.empty()) {
    m.why_not = m.newuidmap.empty() && m.newgidmap.empty() ? "newuidmap and newgidmap are"
                : m.newuidmap.empty()                      ? "newuidmap is"
                                                           : "newgidmap is";
    m.why_not += " not installed (package uidmap)";
  } else {
    m.uids.insert(m.uids.end(), subuids.begin(), subuids.end());
    m.gids.insert(m.gids.end(), subgids.begin(), subgids.end());
    m.subordinate = true;
  }
  return m;
}

void write_proc(const std::string& file, const std::string& text) {
  UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd || ::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
    fail_errno("write", file);
}

// Runs a helper; its stderr becomes the error message.
void run_helper(const std::vector<std::string>& argv) {
  int err[2];
  if (::pipe2(err, O_CLOEXEC) != 0) fail_errno("create a pipe for", argv[0]);
  UniqueFd reader(err[0]), writer(err[1]);
  pid_t pid = ::fork();
  if (pid < 0) fail_errno("fork", argv[0]);
  if (pid == 0) {
    ::dup2(writer.get(), STDERR_FILENO);
    ::dup2(writer.get(), STDOUT_FILENO);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    _exit(127);
  }
  writer.reset();
  auto [message, status] = collect_child(pid, reader.get(), argv[0]);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
      message.pop_back();
    fail(ErrorKind::kIo,
         fmt::format("{} failed: {}", argv[0], message.empty() ? "exit status" : message));
  }
}

std::vector<std::string> helper_args(const std::string& tool, pid_t pid,
                                     const std::vector<IdRange>& ranges) {
  std::vector<std::string> args{tool, std::to_string(pid)};
  for (const auto& r : ranges) {
    args.push_back(std::to_string(r.container));
    args.push_back(std::to_string(r.host));
    args.push_back(std::to_string(r.size));
  }
  return args;
}

}  // namespace

const IdMapping* rootless_mapping() {
  // Computed once per effective uid (a process may switch from root to a user).
  static std::optional<std::pair<uid_t, IdMapping>> cached;
  uid_t uid = ::geteuid();
  if (uid == 0) return nullptr;
  if (!cached || cached->first != uid) cached.emplace(uid, compute_mapping());
  return &cached->second;
}

uint32_t to_container(const std::vector<IdRange>& ranges, uint32_t host) {
  for (const auto& r : ranges) {
    if (host >= r.host && host - r.host < r.size) return r.container + (host - r.host);
  }
  return host;
}

void write_mapping(pid_t pid, const IdMapping& mapping) {
  if (mapping.subordinate) {
    run_helper(helper_args(mapping.newuidmap, pid, mapping.uids));
    run_helper(helper_args(mapping.newgidmap, pid, mapping.gids));
    return;
  }
  std::string proc = fmt::format("/proc/{}/", pid);
  write_proc(proc + "setgroups", "deny");
  write_proc(proc + "uid_map", fmt::format("0 {} 1\n", mapping.uids[0].host));
  write_proc(proc + "gid_map", fmt::format("0 {} 1\n", mapping.gids[0].host));
}

void run_as_mapped_root(const IdMapping& mapping, const std::function<void()>& fn) {
  run_as_mapped_root_for(mapping, [&] {
    fn();
    return std::string();
  });
}

std::string run_as_mapped_root_for(const IdMapping& mapping,
                                   const std::function<std::string()>& fn) {
  int to_child[2], from_child[2];
  if (::pipe2(to_child, O_CLOEXEC) != 0 || ::pipe2(from_child, O_CLOEXEC) != 0)
    fail_errno("create a pipe", "");
  UniqueFd go_read(to_child[0]), go_write(to_child[1]);
  UniqueFd report_read(from_child[0]), report_write(from_child[1]);
  pid_t pid = ::fork();
  if (pid < 0) fail_errno("fork", "");
  if (pid == 0) {
    go_write.reset();
    report_read.reset();
    std::string message;
    try {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      ::prctl(PR_SET_DUMPABLE, 1);
      if (::unshare(CLONE_NEWUSER) != 0) fail_errno("create", "a user namespace");
      if (::write(report_write.get(), "R", 1) != 1) _exit(126);
      char c;
      if (::read(go_read.get(), &c, 1) != 1) _exit(126);
      // The report: "O" and the result, or "E<kind> <message>".
      message = "O" + fn();
      if (::write(report_write.get(), message.data(), message.size()) !=
          static_cast<ssize_t>(message.size()))
        _exit(125);
      _exit(0);
    } catch (...) {
      Error e = error_from(std::current_exception());
      message = fmt::format("E{} {}", static_cast<int>(e.kind()), e.what());
    }
    if (::write(report_write.get(), message.data(), message.size()) < 0) _exit(125);
    _exit(125);
  }
  go_read.reset();
  report_write.reset();
  auto reap = [&] { return wait_for(pid); };
  char ready = 0;
  if (::read(report_read.get(), &ready, 1) != 1 || ready != 'R') {
    reap();
    fail(ErrorKind::kIo, "the user namespace helper process failed");
  }
  try {
    write_mapping(pid, mapping);
  } catch (...) {
    ::kill(pid, SIGKILL);
    reap();
    throw;
  }
  if (::write(go_write.get(), "G", 1) != 1) fail_errno("write", "to the helper process");
  go_write.reset();
  auto [message, status] = collect_child(pid, report_read.get(), "the user namespace helper");
  if (message.starts_with("E")) {
    size_t space = message.find(' ');
    int kind = std::atoi(message.substr(1, space).c_str());
    throw Error(static_cast<ErrorKind>(kind), message.substr(space + 1));
  }
  if (!message.starts_with("O") || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    fail(ErrorKind::kIo, "the user namespace helper process failed");
  return message.substr(1);
}

}  // namespace schicht::builder
