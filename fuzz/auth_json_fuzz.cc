// Fuzzes auth.json reading: JSON, the "auths" map, base64 "user:password" entries and the key
// matching (exact, by host, Docker Hub's other names), in current and legacy (~/.dockercfg)
// form. The reader only takes a path, so the input goes into a memfd read through /proc: no
// disk I/O and no API made just for the fuzzer.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/error.h"
#include "registry/auth_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const int fd = memfd_create("auth.json", 0);
  static const std::string path = "/proc/self/fd/" + std::to_string(fd);
  if (fd < 0 || ftruncate(fd, 0) != 0) __builtin_trap();
  if (size > 0 && pwrite(fd, data, size, 0) != static_cast<ssize_t>(size)) __builtin_trap();
  for (bool legacy : {false, true}) {
    for (const char* location :
         {"docker.io/library/alpine", "quay.io/org/app", "localhost:5000/a/b/c", "x"}) {
      try {
        (void)schicht::registry::find_credentials_in({.path = path, .legacy = legacy}, location);
      } catch (const schicht::Error&) {
      }
    }
  }
  return 0;
}
