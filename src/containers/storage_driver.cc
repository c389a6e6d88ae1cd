#include "containers/storage_driver.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include <fstream>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "core/error.h"
#include "snapshot/overlay_mount.h"
#include "store/storage_conf.h"

namespace schicht::containers {

bool in_user_namespace() {
  std::ifstream map("/proc/self/uid_map");
  uint64_t inside = 0, outside = 0, count = 0;
  if (!(map >> inside >> outside >> count)) return false;
  return !(inside == 0 && outside == 0 && count == 4294967295ULL);
}

namespace {

std::string program;  // the choice of this process, made once

// fuse-overlayfs in PATH, or empty.
std::string installed_fuse_overlayfs() {
  const char* path = std::getenv("PATH");
  std::string dirs = path && *path ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    fs::path candidate = fs::path(dirs.substr(start, end - start)) / "fuse-overlayfs";
    if (end > start && ::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    start = end + 1;
  }
  return {};
}

}  // namespace

StorageDriver storage_driver(const DriverRequest& request) {
  const std::string& asked = request.asked;
  if (asked == "vfs") return StorageDriver::kVfs;
  if (!asked.empty() && asked != "overlay") {
    fail(ErrorKind::kInvalidInput,
         fmt::format("unknown storage driver {:?}: schicht offers \"overlay\" and \"vfs\"", asked));
  }
  static std::optional<bool> works;  // one probe per process
  static std::string why;
  if (!works) {
    std::string configured = store::overlay_mount_program(request.storage_opts);
    if (!configured.empty()) {
      // Named explicitly: used without a probe, but it must be there.
      struct stat st;
      if (::stat(configured.c_str(), &st) != 0 || !S_ISREG(st.st_mode) ||
          ::access(configured.c_str(), X_OK) != 0) {
        fail(ErrorKind::kInvalidInput,
             fmt::format("overlay.mount_program {:?}: no executable file there", configured));
      }
      program = configured;
      works = true;
    } else {
      // Without CAP_SYS_ADMIN (rootless outside `schicht unshare`) no kernel mount can succeed.
      works = ::geteuid() == 0 && snapshot::overlay_works(request.root, &why);
      if (::geteuid() != 0) why = "mounting needs root (or `schicht unshare`)";
      std::string fuse = *works ? std::string() : installed_fuse_overlayfs();
      std::string fuse_why;
      if (!fuse.empty() && snapshot::overlay_works(request.root, &fuse_why, fuse)) {
        program = fuse;
        works = true;
      } else if (!fuse.empty()) {
        why += "; " + fuse_why;
      }
    }
  }
  if (*works) return StorageDriver::kOverlay;
  if (asked == "overlay") {
    fail(ErrorKind::kUnsupported, fmt::format("storage driver \"overlay\" is not usable: {}", why));
  }
  return StorageDriver::kVfs;
}

const std::string& overlay_mount_program(const DriverRequest& request) {
  storage_driver(request);
  return program;
}

bool build_steps_on_overlay(const DriverRequest& request) {
  if (request.asked == "vfs" || ::geteuid() != 0 || in_user_namespace()) return false;
  try {
    return storage_driver(request) == StorageDriver::kOverlay && program.empty();
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::kUnsupported) throw;
    return false;
  }
}

std::string_view storage_driver_name(StorageDriver driver) {
  return driver == StorageDriver::kOverlay ? "overlay" : "vfs";
}

bool unpack_on_pull(const DriverRequest& request, std::optional<bool> asked) {
  if (asked) return *asked;
  return storage_driver(request) == StorageDriver::kOverlay;
}

}  // namespace schicht::containers
