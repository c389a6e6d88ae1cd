#include "core/host.h"

#include <sched.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>

#include <fmt/format.h>

#include "core/platform.h"

namespace schicht {
namespace {

// KEY=value lines, values unquoted, as in /etc/os-release and /proc/meminfo ("Key: n kB").
std::map<std::string, std::string> read_pairs(const char* path, char separator) {
  std::map<std::string, std::string> pairs;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    size_t at = line.find(separator);
    if (at == std::string::npos) continue;
    std::string value = line.substr(at + 1);
    size_t start = value.find_first_not_of(" \t");
    value = start == std::string::npos ? "" : value.substr(start);
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    pairs[line.substr(0, at)] = value;
  }
  return pairs;
}

// A /proc/meminfo value ("12345 kB") in bytes.
uint64_t meminfo_bytes(const std::map<std::string, std::string>& meminfo, const char* key) {
  auto it = meminfo.find(key);
  if (it == meminfo.end()) return 0;
  uint64_t value = std::strtoull(it->second.c_str(), nullptr, 10);
  return it->second.ends_with("kB") ? value * 1024 : value;
}

// podman's "0h 6m 53.00s": whole seconds of /proc/uptime; the minutes are rounded, as podman's
// "%.0f" of the unfloored remainder rounds them.
std::string uptime() {
  std::ifstream in("/proc/uptime");
  double seconds = 0;
  in >> seconds;
  seconds = std::floor(seconds);
  return fmt::format("{:.0f}h {:.0f}m {:.2f}s", std::floor(seconds / 3600),
                     std::fmod(seconds / 60, 60), std::fmod(seconds, 60));
}

// Go's runtime.NumCPU: the CPUs this process may run on.
int cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) == 0) return CPU_COUNT(&set);
  return static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN));
}

}  // namespace

HostFacts host_facts() {
  Platform platform = Platform::host();
  auto os_release = read_pairs("/etc/os-release", '=');
  if (os_release.empty()) os_release = read_pairs("/usr/lib/os-release", '=');
  auto meminfo = read_pairs("/proc/meminfo", ':');
  struct utsname uts {};
  ::uname(&uts);
  char hostname[256] = {};
  ::gethostname(hostname, sizeof hostname - 1);
  return HostFacts{.os = platform.os,
                   .architecture = platform.architecture,
                   .cpus = cpus(),
                   .distribution = os_release["ID"],
                   .variant = os_release["VARIANT_ID"],
                   .version = os_release["VERSION_ID"],
                   .codename = os_release["VERSION_CODENAME"],
                   .hostname = std::string(hostname),
                   .kernel = std::string(uts.release),
                   .mem_free = meminfo_bytes(meminfo, "MemFree"),
                   .mem_total = meminfo_bytes(meminfo, "MemTotal"),
                   .swap_free = meminfo_bytes(meminfo, "SwapFree"),
                   .swap_total = meminfo_bytes(meminfo, "SwapTotal"),
                   .uptime = uptime(),
                   .rootless = ::geteuid() != 0};
}

}  // namespace schicht
