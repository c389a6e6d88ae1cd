#include "store/reserve.h"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>

#include "core/error.h"

namespace schicht::store {

void balance_space_reserve(const fs::path& root) {
  struct statvfs vfs {};
  if (::statvfs(root.c_str(), &vfs) != 0) return;  // the open that follows reports the problem
  uint64_t free_bytes = static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
  fs::path reserve = root / "space-reserve";
  if (free_bytes < kReserveBytes) {
    ignore_error("without a reserve the open that follows reports the full disk", [&] {
      if (::unlink(reserve.c_str()) != 0 && errno != ENOENT) fail_errno("unlink", reserve.string());
    });
    return;
  }
  if (free_bytes < kReserveRecreateBytes || ::access(reserve.c_str(), F_OK) == 0) return;
  ignore_error("the reserve is an insurance, a store works without it", [&] {
    AtomicFile file(reserve, 0600);
    // posix_fallocate returns the error instead of setting errno; blocks are really allocated
    // (a sparse file would free nothing when unlinked).
    if (int rc = ::posix_fallocate(file.fd(), 0, static_cast<off_t>(kReserveBytes)); rc != 0) {
      errno = rc;
      fail_errno("allocate", reserve.string());
    }
    file.commit();
  });
}

}  // namespace schicht::store
