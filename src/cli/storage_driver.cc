#include "cli/storage_driver.h"

#include <unistd.h>

#include <fstream>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "core/error.h"
#include "snapshot/overlay_mount.h"

namespace schicht::cli {

bool in_user_namespace() {
  std::ifstream map("/proc/self/uid_map");
  uint64_t inside = 0, outside = 0, count = 0;
  if (!(map >> inside >> outside >> count)) return false;
  return !(inside == 0 && outside == 0 && count == 4294967295ULL);
}

StorageDriver storage_driver(Context& ctx) {
  const std::string& asked = ctx.options().storage_driver;
  if (asked == "vfs") return StorageDriver::kVfs;
  if (!asked.empty() && asked != "overlay") {
    fail(ErrorKind::kInvalidInput,
         fmt::format("unknown storage driver {:?}: schicht offers \"overlay\" and \"vfs\"", asked));
  }
  static std::optional<bool> works;  // one probe per process
  static std::string why;
  if (!works) {
    // Without CAP_SYS_ADMIN (rootless outside `schicht unshare`) no mount can succeed.
    works = ::geteuid() == 0 && snapshot::overlay_works(ctx.store().root(), &why);
    if (::geteuid() != 0) why = "mounting needs root (or `schicht unshare`)";
  }
  if (*works) return StorageDriver::kOverlay;
  if (asked == "overlay") {
    fail(ErrorKind::kUnsupported, fmt::format("storage driver \"overlay\" is not usable: {}", why));
  }
  return StorageDriver::kVfs;
}

std::string_view storage_driver_name(StorageDriver driver) {
  return driver == StorageDriver::kOverlay ? "overlay" : "vfs";
}

}  // namespace schicht::cli
