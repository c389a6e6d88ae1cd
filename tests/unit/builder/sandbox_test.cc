// Runs real commands (busybox) in a throw-away root filesystem. Needs root or unprivileged
// user namespaces; skipped when busybox is missing.
#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "builder/sandbox.h"
#include "core/error.h"
#include "core/fs.h"

namespace schicht::builder {
namespace {

constexpr const char* kBusybox = "/usr/bin/busybox";

std::string slurp(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

class Sandbox : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access(kBusybox, X_OK) != 0) GTEST_SKIP() << "needs " << kBusybox;
    char tmpl[] = "/tmp/sandbox-test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    work_ = tmpl;
    chmod(work_.c_str(), 0755);
    root_ = work_ / "rootfs";
    fs::create_directories(root_ / "bin");
    fs::copy_file(kBusybox, root_ / "bin/busybox");
    for (const char* tool : {"sh", "id", "env", "pwd", "cat", "ls", "touch", "sleep", "echo",
                             "kill", "hostname", "mount", "stat"})
      fs::create_symlink("busybox", root_ / "bin" / tool);
  }
  void TearDown() override {
    if (!work_.empty()) fs::remove_all(work_);
  }

  // Runs `script` with sh and returns its exit status; its stdout lands in output().
  int sh(const std::string& script, RunSpec spec = {}) {
    spec.rootfs = root_;
    spec.argv = {"/bin/sh", "-c", script};
    if (spec.env.empty()) spec.env = {"PATH=/bin"};
    return run(spec);
  }
  int run(RunSpec spec, RunOutcome* outcome = nullptr) {
    spec.rootfs = root_;
    UniqueFd out(open((work_ / "out").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    spec.stdout_fd = out.get();
    spec.stderr_fd = out.get();
    return run_in_rootfs(spec, outcome);
  }
  std::string output() { return slurp(work_ / "out"); }

  fs::path work_, root_;
};

TEST_F(Sandbox, ReturnsTheExitStatusAndSignalsAs128PlusN) {
  EXPECT_EQ(sh("exit 0"), 0);
  EXPECT_EQ(sh("exit 3"), 3);
  EXPECT_EQ(sh("kill -9 $$"), 137);
  RunSpec spec;
  spec.argv = {"/bin/sh", "-c", "kill -TERM $$"};
  RunOutcome outcome;
  EXPECT_EQ(run(spec, &outcome), 143);
  EXPECT_EQ(outcome.signal, 15);
  spec.argv = {"/bin/sh", "-c", "exit 143"};
  EXPECT_EQ(run(spec, &outcome), 143);
  EXPECT_EQ(outcome.signal, 0);
}

TEST_F(Sandbox, SetsTheEnvironmentExactlyPlusHome) {
  RunSpec spec;
  spec.argv = {"env"};
  spec.env = {"PATH=/bin", "A=1", "B=two words"};
  spec.hostname = "h";
  EXPECT_EQ(run(spec), 0);
  EXPECT_EQ(output(), "PATH=/bin\nA=1\nB=two words\nHOSTNAME=h\nHOME=/\n");
  spec.env.push_back("HOME=/x");
  spec.env.push_back("HOSTNAME=mine");
  EXPECT_EQ(run(spec), 0);
  EXPECT_EQ(output(), "PATH=/bin\nA=1\nB=two words\nHOME=/x\nHOSTNAME=mine\n");
  // Without a hostname, a random one like buildah's container ID prefix.
  spec.hostname.clear();
  spec.env = {"PATH=/bin"};
  spec.argv = {"/bin/sh", "-c", "echo $HOSTNAME; hostname"};
  EXPECT_EQ(run(spec), 0);
  std::string out = output();
  ASSERT_EQ(out.size(), 26u) << out;
  EXPECT_EQ(out.substr(0, 13), out.substr(13));
}

TEST_F(Sandbox, CreatesAMissingWorkingDirectory) {
  RunSpec spec;
  spec.workdir = "/a/b";
  EXPECT_EQ(sh("pwd", spec), 0);
  EXPECT_EQ(output(), "/a/b\n");
  struct stat st;
  ASSERT_EQ(stat((root_ / "a/b").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0755u);
}

TEST_F(Sandbox, RunsAsTheUserOfTheRootFilesystem) {
  if (geteuid() != 0) GTEST_SKIP() << "other users need root";
  write(root_ / "etc/passwd", "root:x:0:0::/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\n");
  write(root_ / "etc/group", "root:x:0:\napp:x:1001:\nextra:x:2000:app\n");
  RunSpec spec;
  spec.user = "app";
  spec.workdir = "/w/x";
  EXPECT_EQ(sh("id -u; id -g; id -G; echo $HOME; pwd", spec), 0);
  EXPECT_EQ(output(), "1000\n1001\n1001 2000\n/home/app\n/w/x\n");
  // buildah creates a missing working directory for the RUN, owned by its user.
  struct stat st;
  ASSERT_EQ(stat((root_ / "w").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 1000u);
  EXPECT_EQ(st.st_gid, 1001u);
  spec.workdir = "/";
  // As in podman's RUN, the primary group is a supplementary one too.
  spec.user = "1234:55";
  EXPECT_EQ(sh("id", spec), 0);
  EXPECT_EQ(output(), "uid=1234 gid=55 groups=55\n");
  spec.user = "nosuch";
  try {
    sh("true", spec);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kNotFound);
    EXPECT_STREQ(e.what(),
                 "determining run uid: user: unknown user error looking up user \"nosuch\"");
  }
}

TEST_F(Sandbox, SeesItsOwnProcDevAndReadOnlySys) {
  RunSpec spec;
  spec.hostname = "builder";
  EXPECT_EQ(sh("echo $$; hostname; cat /etc/hostname; echo x > /dev/null && cat /dev/null;"
               "ls /dev/pts/ptmx /dev/shm /dev/zero /dev/urandom >/dev/null && echo devices;"
               "touch /sys/x 2>/dev/null || echo sys read-only",
               spec),
            0);
  // PID 1 is the sandbox's init; the command is its first child.
  EXPECT_EQ(output(), "2\nbuilder\nbuilder\ndevices\nsys read-only\n");
  if (access("/etc/resolv.conf", R_OK) == 0) {
    EXPECT_EQ(sh("cat /etc/resolv.conf"), 0);
    EXPECT_EQ(output(), slurp("/etc/resolv.conf"));
  }
}

TEST_F(Sandbox, LeavesTheMountPointsItCreatedAsBuildahDoes) {
  RunSpec spec;
  spec.argv = {"/bin/sh", "-c", "echo x > /dev/shm/f; echo y > /tmpfile"};
  spec.env = {"PATH=/bin"};
  RunOutcome outcome;
  EXPECT_EQ(run(spec, &outcome), 0);
  const CreatedPaths& created = outcome.created;
  EXPECT_EQ(created, (CreatedPaths{"proc", "dev", "sys", "run", "etc", "etc/hosts", "etc/hostname",
                                   "etc/resolv.conf"}));
  for (const char* dir : {"proc", "dev", "sys", "run", "etc"}) {
    EXPECT_TRUE(fs::is_directory(root_ / dir)) << dir;
    if (std::string(dir) != "etc") {
      EXPECT_TRUE(fs::is_empty(root_ / dir)) << dir;
    }
  }
  for (const char* file : {"etc/hosts", "etc/hostname", "etc/resolv.conf"}) {
    struct stat st;
    ASSERT_EQ(lstat((root_ / file).c_str(), &st), 0) << file;
    EXPECT_EQ(st.st_size, 0) << file;
    EXPECT_EQ(st.st_mode & 07777, 0755u) << file;
  }
  EXPECT_TRUE(fs::exists(root_ / "tmpfile"));

  // A second run finds them and creates nothing.
  EXPECT_EQ(run(spec, &outcome), 0);
  EXPECT_TRUE(outcome.created.empty());
}

TEST_F(Sandbox, CanRemoveTheMountPointsItCreated) {
  fs::create_directories(root_ / "etc");
  RunSpec spec;
  spec.argv = {"/bin/sh", "-c", "echo x > /run/kept"};
  spec.env = {"PATH=/bin"};
  spec.keep_mount_points = false;
  RunOutcome outcome;
  EXPECT_EQ(run(spec, &outcome), 0);
  EXPECT_EQ(outcome.created, (CreatedPaths{"proc", "dev", "sys", "run", "etc/hosts", "etc/hostname",
                                           "etc/resolv.conf"}));
  std::vector<std::string> left;
  for (const auto& e : fs::recursive_directory_iterator(root_))
    if (!fs::relative(e.path(), root_).string().starts_with("bin"))
      left.push_back(fs::relative(e.path(), root_).string());
  std::sort(left.begin(), left.end());
  // /run is not empty any more, so it stays; /etc existed before.
  EXPECT_EQ(left, (std::vector<std::string>{"etc", "run", "run/kept"}));
}

TEST_F(Sandbox, VolumesAreCreatedAndWhatRunWritesThereIsDiscarded) {
  write(root_ / "vol/old", "from the image\n");
  RunSpec spec;
  spec.volumes = {"/vol", "/new/vol"};
  EXPECT_EQ(sh("cat /vol/old; echo x > /vol/written; echo y > /new/vol/f; echo z > /kept", spec),
            0);
  EXPECT_EQ(output(), "from the image\n");
  EXPECT_EQ(slurp(root_ / "vol/old"), "from the image\n");
  EXPECT_FALSE(fs::exists(root_ / "vol/written"));
  EXPECT_TRUE(fs::is_directory(root_ / "new/vol"));
  EXPECT_TRUE(fs::is_empty(root_ / "new/vol"));
  EXPECT_TRUE(fs::exists(root_ / "kept"));
}

TEST_F(Sandbox, EndsWhatTheCommandLeftRunning) {
  time_t start = time(nullptr);
  EXPECT_EQ(sh("sleep 100 & echo started"), 0);
  EXPECT_LT(time(nullptr) - start, 20);
}

TEST_F(Sandbox, AMissingExecutableFailsTheStepAsPodmanDoes) {
  RunSpec spec;
  spec.argv = {"nosuch"};
  spec.env = {"PATH=/bin"};
  EXPECT_EQ(run(spec), 1);
  EXPECT_EQ(output(),
            "process failed to start with error: exec: \"nosuch\": executable file not found in "
            "$PATH\n");
  spec.argv = {"/nosuch"};
  EXPECT_EQ(run(spec), 1);
  EXPECT_EQ(output(),
            "process failed to start with error: fork/exec /nosuch: no such file or directory\n");
}

TEST_F(Sandbox, RefusesAMissingRootOrCommand) {
  RunSpec spec;
  spec.rootfs = (work_ / "nothing").string();
  spec.argv = {"true"};
  EXPECT_THROW(run_in_rootfs(spec), Error);
  spec.rootfs = root_;
  spec.argv.clear();
  EXPECT_THROW(run_in_rootfs(spec), Error);
}

// As an unprivileged user, the sandbox maps that user to root in a user namespace.
TEST_F(Sandbox, RunsRootlessInAUserNamespace) {
  if (geteuid() != 0) GTEST_SKIP() << "switches to nobody, so needs root to start";
  constexpr uid_t kNobody = 65534;
  for (const auto& e : fs::recursive_directory_iterator(root_))
    ASSERT_EQ(lchown(e.path().c_str(), kNobody, kNobody), 0);
  ASSERT_EQ(lchown(root_.c_str(), kNobody, kNobody), 0);
  int out = open((work_ / "out").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  ASSERT_GE(out, 0);
  ASSERT_EQ(fchown(out, kNobody, kNobody), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (setgroups(0, nullptr) < 0 || setgid(kNobody) < 0 || setuid(kNobody) < 0) _exit(100);
    RunSpec spec;
    spec.rootfs = root_;
    spec.argv = {"/bin/sh", "-c",
                 "id -u; echo $$; ls /proc/1 >/dev/null && echo proc; "
                 "echo x > /dev/null && echo dev; touch /built; exit 7"};
    spec.env = {"PATH=/bin"};
    spec.stdout_fd = out;
    spec.stderr_fd = out;
    try {
      _exit(run_in_rootfs(spec));
    } catch (const Error& e) {
      dprintf(out, "error: %s\n", e.what());
      _exit(101);
    }
  }
  close(out);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 7) << output();
  EXPECT_EQ(output(), "0\n2\nproc\ndev\n");
  struct stat st;
  ASSERT_EQ(stat((root_ / "built").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, kNobody);
}

}  // namespace
}  // namespace schicht::builder
