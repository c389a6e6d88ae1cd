// Three processes run a step: the caller's child enters the namespaces (a PID namespace only
// applies to children), its child is PID 1 there and builds the mounts (a fresh /proc must be
// mounted from inside the PID namespace), and that one's child drops privileges and execs the
// command, so PID 1 can reap whatever the command leaves behind. When PID 1 exits, the kernel
// kills the rest of the namespace and the mount namespace, with every mount, goes with it.
//
// Failures inside the children travel to the caller over a close-on-exec pipe ("E<kind>
// <message>" lines), as do the mount points created ("C<path>"); EOF means the command was
// exec'd or everything ended.
#include "builder/sandbox.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <optional>

#include <fmt/format.h>

#include "builder/id_map.h"
#include "builder/run_user.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/process.h"

namespace schicht::builder {
namespace {

constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
// podman's default capabilities: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP
// NET_BIND_SERVICE SYS_CHROOT SETFCAP (what buildah grants a RUN step).
constexpr uint64_t kDefaultCaps = 0x800405fbULL;
constexpr const char* kDevices[] = {"null", "zero", "full", "random", "urandom", "tty"};

// The rootless mapping of the run, decided by the caller before it forks (inside the user
// namespace the process is root, and rootless_mapping() would say so).
const IdMapping* run_ids = nullptr;

// The child's end of the report pipe.
class Report {
 public:
  explicit Report(int fd) : fd_(fd) {}
  void created(const std::string& path) const { send("C" + path.substr(1)); }
  void killed(int signal) const { send(fmt::format("S{}", signal)); }
  void error(const Error& e) const {
    send(fmt::format("E{} {}", static_cast<int>(e.kind()), e.what()));
  }

 private:
  void send(std::string line) const {
    for (char& c : line)
      if (c == '\n') c = ' ';
    line += '\n';
    // One write below PIPE_BUF is atomic; a short or failed write only loses the report.
    if (write(fd_, line.data(), line.size()) < 0) return;
  }
  int fd_;
};

[[noreturn]] void fail_sys(const std::string& what) {
  fail(ErrorKind::kIo, fmt::format("{}: {}", what, std::strerror(errno)));
}

void sys(int rc, const std::string& what) {
  if (rc < 0) fail_sys(what);
}

void mount_or_fail(const char* source, const std::string& target, const char* type,
                   unsigned long flags, const char* data = nullptr) {
  if (mount(source, target.c_str(), type, flags, data) < 0)
    fail_sys(fmt::format("mounting {} on {}", type ? type : source, target));
}

// Creates a missing mount point as buildah does (directories 0755, files empty and 0755),
// reporting it so the caller can tell it from what the command wrote.
void ensure(const std::string& path, bool directory, const Report& report) {
  struct stat st;
  if (lstat(path.c_str(), &st) == 0) return;
  if (errno != ENOENT) fail_sys("checking mount point " + path);
  if (directory) {
    sys(mkdir(path.c_str(), 0755), "creating mount point " + path);
    sys(chmod(path.c_str(), 0755), "creating mount point " + path);
  } else {
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
    if (fd < 0) fail_sys("creating mount point " + path);
    fchmod(fd, 0755);
    close(fd);
  }
  report.created(path);
}

// Host files to bind into the root filesystem, opened before the chroot hides them.
struct HostFiles {
  std::vector<std::pair<std::string, UniqueFd>> devices;
  UniqueFd sys, hosts, resolv, hostname;
};

UniqueFd open_path(const std::string& path) {
  return UniqueFd(open(path.c_str(), O_PATH | O_CLOEXEC));
}

std::string fd_path(const UniqueFd& fd) {
  return fmt::format("/proc/self/fd/{}", fd.get());
}

void bind_host(const UniqueFd& source, const std::string& target, unsigned long extra = 0) {
  if (!source) return;
  mount_or_fail(fd_path(source).c_str(), target, nullptr, MS_BIND | extra);
}

// Opened in the new mount namespace: a bind mount's source must belong to it.
HostFiles open_host_files(const std::string& hostname_file) {
  HostFiles host;
  for (const char* name : kDevices) {
    UniqueFd fd = open_path(std::string("/dev/") + name);
    if (fd) host.devices.emplace_back(name, std::move(fd));
  }
  host.sys = open_path("/sys");
  host.hosts = open_path("/etc/hosts");
  host.resolv = open_path("/etc/resolv.conf");
  host.hostname = open_path(hostname_file);
  return host;
}

// Everything the step sees besides the root filesystem, mounted after the chroot so that no
// symlink in the root filesystem can point a mount outside it.
void mount_system(const HostFiles& host, bool rootless, const Report& report) {
  ensure("/proc", true, report);
  mount_or_fail("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC);

  ensure("/dev", true, report);
  mount_or_fail("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755,size=65536k");
  for (const auto& [name, fd] : host.devices) {
    std::string node = "/dev/" + name;
    int created = open(node.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
    if (created < 0) fail_sys("creating " + node);
    close(created);
    bind_host(fd, node);
  }
  sys(mkdir("/dev/pts", 0755), "creating /dev/pts");
  mount_or_fail("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
                rootless ? "newinstance,ptmxmode=0666,mode=0620"
                         : "newinstance,ptmxmode=0666,mode=0620,gid=5");
  sys(symlink("pts/ptmx", "/dev/ptmx"), "creating /dev/ptmx");
  sys(mkdir("/dev/shm", 01777), "creating /dev/shm");
  mount_or_fail("shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                "mode=1777,size=65536k");
  for (auto [link, target] : {std::pair{"/dev/fd", "/proc/self/fd"},
                              {"/dev/stdin", "/proc/self/fd/0"},
                              {"/dev/stdout", "/proc/self/fd/1"},
                              {"/dev/stderr", "/proc/self/fd/2"}})
    sys(symlink(target, link), fmt::format("creating {}", link));

  ensure("/sys", true, report);
  if (host.sys) {
    bind_host(host.sys, "/sys", MS_REC);
    mount_or_fail(nullptr, "/sys", nullptr,
                  MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
  }
  // buildah creates /run (for /run/.containerenv, which it removes again); layers show it.
  ensure("/run", true, report);
  ensure("/etc", true, report);
  for (auto [path, fd] : {std::pair{"/etc/hosts", &host.hosts},
                          {"/etc/hostname", &host.hostname},
                          {"/etc/resolv.conf", &host.resolv}}) {
    ensure(path, false, report);
    bind_host(*fd, path);
  }
}

// Creates `path` and its missing parents (0755) owned by uid:gid.
void make_dirs_owned(const std::string& path, uid_t uid, gid_t gid) {
  std::string prefix;
  size_t start = 1;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    prefix = path.substr(0, slash);
    start = slash + 1;
    if (prefix.empty() || prefix.back() == '/') continue;
    if (mkdir(prefix.c_str(), 0755) == 0) {
      sys(chmod(prefix.c_str(), 0755), "creating " + prefix);
      sys(lchown(prefix.c_str(), uid, gid), "creating " + prefix);
    } else if (errno != EEXIST) {
      fail_sys("creating working directory " + prefix);
    }
  }
}

// A VOLUME: its directory (created as root when missing) gets a tmpfs holding a copy of what
// was in it, so the command reads the image's content and its writes vanish with the step.
void mount_volume(const std::string& path) {
  make_dirs_owned(path, 0, 0);
  UniqueFd original(open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!original) fail_sys("opening volume " + path);
  struct stat st;
  sys(fstat(original.get(), &st), "opening volume " + path);
  mount_or_fail(
      "tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV,
      fmt::format("mode={:o},uid={},gid={}", st.st_mode & 07777, st.st_uid, st.st_gid).c_str());
  std::error_code ec;
  fs::copy(fd_path(original) + "/.", path,
           fs::copy_options::recursive | fs::copy_options::copy_symlinks, ec);
  if (ec) fail(ErrorKind::kIo, fmt::format("copying volume {}: {}", path, ec.message()));
}

std::string read_or_empty(const char* path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  close(fd);
  return read_file(path);
}

// Keeps only podman's default capabilities, in the bounding set and (for root) the others.
void drop_capabilities(bool stay_root) {
  for (int cap = 0; cap < 64; ++cap) {
    if (kDefaultCaps & (1ULL << cap)) continue;
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno == EINVAL) break;  // past the last
  }
  if (!stay_root) return;
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  sys(static_cast<int>(syscall(SYS_capget, &header, data)), "reading capabilities");
  for (int i = 0; i < 2; ++i) {
    uint32_t keep = static_cast<uint32_t>(kDefaultCaps >> (32 * i));
    data[i].effective &= keep;
    data[i].permitted &= keep;
    data[i].inheritable &= keep;
  }
  sys(static_cast<int>(syscall(SYS_capset, &header, data)), "dropping capabilities");
}

std::optional<std::string> find_executable(const std::string& name, const std::string& path) {
  if (name.find('/') != std::string::npos) return name;
  size_t start = 0;
  for (;;) {
    size_t colon = path.find(':', start);
    std::string dir = path.substr(start, colon - start);
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    struct stat st;
    if (stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        access(candidate.c_str(), X_OK) == 0)
      return candidate;
    if (colon == std::string::npos) return std::nullopt;
    start = colon + 1;
  }
}

// A command that cannot start fails the step as podman's does: a message, exit status 1.
[[noreturn]] void exec_failed(const std::string& message) {
  std::string line = "process failed to start with error: " + message + "\n";
  if (write(STDERR_FILENO, line.data(), line.size()) < 0) _exit(1);
  _exit(1);
}

// The third process: becomes the step's user and execs the command. Returns only by throwing.
[[noreturn]] void exec_command(const RunSpec& spec, bool rootless) {
  RunUser user = with_context("determining run uid", [&] {
    return resolve_user(spec.user, read_or_empty("/etc/passwd"), read_or_empty("/etc/group"));
  });
  umask(022);
  std::string workdir = spec.workdir.empty() ? "/" : spec.workdir;
  make_dirs_owned(workdir, user.uid, user.gid);

  int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd < 0) fail_sys("opening /dev/null");
  sys(dup2(null_fd, STDIN_FILENO), "redirecting stdin");
  if (spec.stdout_fd >= 0) sys(dup2(spec.stdout_fd, STDOUT_FILENO), "redirecting stdout");
  if (spec.stderr_fd >= 0) sys(dup2(spec.stderr_fd, STDERR_FILENO), "redirecting stderr");

  drop_capabilities(user.uid == 0);
  // Rootless, ids other than root exist only with subordinate ranges (id_map.h).
  const IdMapping* ids = rootless ? run_ids : nullptr;
  if (ids != nullptr && !ids->subordinate &&
      (user.uid != 0 || user.gid != 0 || user.groups != std::vector<gid_t>{0}))
    fail(ErrorKind::kUnsupported,
         fmt::format("running as {}:{} needs a user namespace with more than the caller's id: {}",
                     user.uid, user.gid, ids->why_not));
  if (ids == nullptr || ids->subordinate)
    sys(setgroups(user.groups.size(), user.groups.data()), "setting groups");
  sys(setgid(user.gid), "setting gid");
  sys(setuid(user.uid), "setting uid");
  if (user.uid == 0) drop_capabilities(true);
  if (chdir(workdir.c_str()) < 0) fail_sys("changing to working directory " + workdir);

  std::vector<std::string> env = spec.env;
  std::string path = kDefaultPath;
  bool has_home = false;
  for (const auto& e : env) {
    if (e.starts_with("PATH=")) path = e.substr(5);
    if (e.starts_with("HOME=")) has_home = true;
  }
  if (!has_home) env.push_back("HOME=" + user.home);

  auto program = find_executable(spec.argv[0], path);
  if (!program)
    exec_failed(fmt::format("exec: {:?}: executable file not found in $PATH", spec.argv[0]));
  std::vector<char*> argv, envp;
  for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  argv.push_back(nullptr);
  envp.push_back(nullptr);
  execve(program->c_str(), argv.data(), envp.data());
  std::string reason = std::strerror(errno);
  reason[0] = static_cast<char>(std::tolower(reason[0]));  // Go's error strings are lower-case
  exec_failed(fmt::format("fork/exec {}: {}", *program, reason));
}

// 12 hex digits, like the container ID prefix buildah uses as a step's hostname.
std::string random_hostname() {
  unsigned char bytes[6];
  UniqueFd urandom(open("/dev/urandom", O_RDONLY | O_CLOEXEC));
  if (!urandom || read(urandom.get(), bytes, sizeof bytes) != sizeof bytes)
    fail_errno("reading", "/dev/urandom");
  std::string out;
  for (unsigned char b : bytes) out += fmt::format("{:02x}", b);
  return out;
}

int status_code(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

// Waits for `child`, reaping any other process that ends first (PID 1 inherits orphans).
// Returns its wait status.
int wait_for(pid_t child) {
  for (;;) {
    int status = 0;
    pid_t pid = waitpid(-1, &status, 0);
    if (pid == child) return status;
    if (pid < 0 && errno != EINTR) return 1 << 8;
  }
}

// The second process: PID 1 of the namespace. Mounts, chroots, forks the command.
int init_process(const RunSpec& spec, const std::string& hostname_file, bool rootless,
                 const Report& report) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  mount_or_fail(nullptr, "/", nullptr, MS_REC | MS_PRIVATE);
  HostFiles host = open_host_files(hostname_file);
  if (chdir(spec.rootfs.c_str()) < 0) fail_sys("entering " + spec.rootfs);
  sys(chroot("."), "chroot to " + spec.rootfs);
  sys(chdir("/"), "chroot to " + spec.rootfs);
  sys(sethostname(spec.hostname.data(), spec.hostname.size()), "setting the hostname");
  mount_system(host, rootless, report);
  for (const auto& volume : spec.volumes) mount_volume(volume);

  pid_t command = fork();
  if (command < 0) fail_sys("fork");
  if (command == 0) {
    try {
      exec_command(spec, rootless);
    } catch (const Error& e) {
      report.error(e);
    }
    _exit(127);
  }
  int status = wait_for(command);
  if (WIFSIGNALED(status)) report.killed(WTERMSIG(status));
  return status_code(status);
}

// Rootless: a new user namespace, whose id maps the caller writes (id_map.h; newuidmap needs
// a process outside the namespace). `sync` is written when the namespace exists and read
// until the maps are in place.
void enter_user_namespace(int sync_ready, int sync_go) {
  sys(unshare(CLONE_NEWUSER), "creating a user namespace");
  if (write(sync_ready, "R", 1) != 1) fail_sys("signalling the user namespace");
  char c = 0;
  if (read(sync_go, &c, 1) != 1 || c != 'G')
    fail(ErrorKind::kIo, "mapping ids into the user namespace failed");
}

// The first process: enters the namespaces and waits for PID 1.
int namespace_process(const RunSpec& spec, const std::string& hostname_file, const Report& report,
                      int sync_ready, int sync_go) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  // A caller that switched from root to its uid is not dumpable, which leaves /proc/self owned
  // by root and the id maps unwritable.
  prctl(PR_SET_DUMPABLE, 1);
  bool rootless = geteuid() != 0;
  if (rootless) enter_user_namespace(sync_ready, sync_go);
  sys(unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC), "creating namespaces");
  pid_t init = fork();
  if (init < 0) fail_sys("fork");
  if (init == 0) {
    try {
      _exit(init_process(spec, hostname_file, rootless, report));
    } catch (const Error& e) {
      report.error(e);
    }
    _exit(127);
  }
  return status_code(wait_for(init));
}

// Opens the relative path `rel` under `root` one component at a time without following
// symlinks, and removes its last component if it is still an empty mount point.
void remove_if_empty(int root, const std::string& rel) {
  size_t slash = rel.rfind('/');
  UniqueFd parent;
  int dir = root;
  if (slash != std::string::npos) {
    parent.reset(
        openat(root, rel.substr(0, slash).c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!parent) return;  // replaced by the command: nothing of ours left to remove
    dir = parent.get();
  }
  std::string name = slash == std::string::npos ? rel : rel.substr(slash + 1);
  struct stat st;
  if (fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) return;
  if (S_ISDIR(st.st_mode))
    unlinkat(dir, name.c_str(), AT_REMOVEDIR);  // fails, as it should, unless empty
  else if (S_ISREG(st.st_mode) && st.st_size == 0)
    unlinkat(dir, name.c_str(), 0);
}

}  // namespace

int run_in_rootfs(const RunSpec& spec, RunOutcome* outcome) {
  if (spec.argv.empty()) fail(ErrorKind::kInvalidInput, "no command given");
  struct stat st;
  if (stat(spec.rootfs.c_str(), &st) < 0 || !S_ISDIR(st.st_mode))
    fail(ErrorKind::kNotFound, fmt::format("root filesystem {:?} is not a directory", spec.rootfs));
  UniqueFd root(open(spec.rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) fail_errno("opening root filesystem", spec.rootfs);

  // The hostname file must exist before the sandbox starts; the caller removes it afterwards.
  RunSpec resolved = spec;
  if (resolved.hostname.empty()) resolved.hostname = random_hostname();
  bool has_hostname = std::any_of(spec.env.begin(), spec.env.end(),
                                  [](const std::string& e) { return e.starts_with("HOSTNAME="); });
  if (!has_hostname) resolved.env.push_back("HOSTNAME=" + resolved.hostname);
  TempDir scratch(temp_root(), "schicht-run");
  std::string hostname_file = scratch.path() / "hostname";
  write_file_atomic(hostname_file, resolved.hostname + "\n", 0644);

  int pipe_fds[2], ready_fds[2], go_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) < 0 || pipe2(ready_fds, O_CLOEXEC) < 0 ||
      pipe2(go_fds, O_CLOEXEC) < 0)
    fail_errno("creating a pipe", "");
  UniqueFd reader(pipe_fds[0]), writer(pipe_fds[1]);
  UniqueFd ready_read(ready_fds[0]), ready_write(ready_fds[1]);
  UniqueFd go_read(go_fds[0]), go_write(go_fds[1]);
  const IdMapping* ids = rootless_mapping();
  run_ids = ids;
  pid_t child = fork();
  if (child < 0) fail_errno("fork", "");
  if (child == 0) {
    reader.reset();
    ready_read.reset();
    go_write.reset();
    Report report(writer.get());
    try {
      _exit(namespace_process(resolved, hostname_file, report, ready_write.get(), go_read.get()));
    } catch (const Error& e) {
      report.error(e);
    }
    _exit(127);
  }
  writer.reset();
  ready_write.reset();
  go_read.reset();
  std::optional<Error> map_error;
  if (ids != nullptr) {
    char c = 0;
    if (read(ready_read.get(), &c, 1) == 1 && c == 'R') {
      try {
        write_mapping(child, *ids);
        if (write(go_write.get(), "G", 1) != 1) fail_errno("signal", "the sandbox");
      } catch (const Error& e) {
        map_error.emplace(e.kind(),
                          "mapping ids into the user namespace: " + std::string(e.what()));
      }
    }
  }
  go_write.reset();  // a child still waiting sees EOF and gives up

  auto [messages, status] = collect_child(child, reader.get(), "the sandbox's report");

  CreatedPaths made;
  int signal = 0;
  std::optional<Error> error;
  size_t start = 0;
  while (start < messages.size()) {
    size_t end = messages.find('\n', start);
    std::string line = messages.substr(start, end - start);
    start = end == std::string::npos ? messages.size() : end + 1;
    if (line.starts_with("C")) {
      made.push_back(line.substr(1));
    } else if (line.starts_with("S")) {
      signal = std::atoi(line.c_str() + 1);
    } else if (line.starts_with("E") && !error) {
      size_t space = line.find(' ');
      int kind = std::atoi(line.substr(1, space).c_str());
      error.emplace(static_cast<ErrorKind>(kind), line.substr(space + 1));
    }
  }
  if (!spec.keep_mount_points)
    for (auto it = made.rbegin(); it != made.rend(); ++it) remove_if_empty(root.get(), *it);
  if (outcome) *outcome = RunOutcome{.created = made, .signal = signal};
  if (map_error) throw *map_error;
  if (error) throw *error;
  return status_code(status);
}

}  // namespace schicht::builder
