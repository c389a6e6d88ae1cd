// info / system info: podman's system report, the parts that apply to an image manager.
#include <sched.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/go_yaml.h"
#include "cli/report.h"
#include "cli/version_report.h"
#include "containers/storage_driver.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/platform.h"
#include "core/process.h"
#include "gotemplate/template.h"
#include "registry/registries_conf.h"

namespace schicht::cli {

using nlohmann::ordered_json;

namespace {

// What a program prints on stdout, trimmed; empty when it cannot run or fails.
std::string program_output(std::vector<std::string> argv) {
  try {
    ChildExit exit = run_collecting(std::move(argv), "describe the mount program", false);
    if (!exited_zero(exit.status)) return {};
    while (!exit.output.empty() && exit.output.back() == '\n') exit.output.pop_back();
    return exit.output;
  } catch (const Error&) {
    return {};  // info describes; a missing dpkg only leaves the package unknown
  }
}

// The overlay mount program as podman shows it under graphOptions: its path, the Debian
// package that installed it (name_version_arch) and what its --version prints.
ordered_json mount_program_info(const std::string& program) {
  std::string package = program_output({"dpkg", "-S", program});
  if (size_t colon = package.find(':'); colon != std::string::npos) {
    package = program_output({"dpkg-query", "-W", "-f", "${Package}_${Version}_${Architecture}",
                              package.substr(0, colon)});
  } else {
    package.clear();
  }
  return {{"Executable", program},
          {"Package", package.empty() ? "Unknown" : package},
          {"Version", program_output({program, "--version"})}};
}

// The name containers/storage gives the file system holding the store, by statfs magic.
std::string backing_filesystem(int64_t magic) {
  switch (static_cast<uint64_t>(magic)) {
    case 0xEF53:
      return "extfs";
    case 0x58465342:
      return "xfs";
    case 0x9123683E:
      return "btrfs";
    case 0x01021994:
      return "tmpfs";
    case 0x794C7630:
      return "overlayfs";
    case 0x2FC12FC1:
      return "zfs";
    case 0x65735546:
      return "fuse";
    case 0x6969:
      return "nfs";
    default:
      return "<unknown>";
  }
}

// podman's graphStatus of the overlay driver: a container's changes can be read from its
// upper directory as they are (native diff) with the kernel's overlayfs, not through a mount
// program; no metacopy; the snapshots need d_type, which extraction relies on anyway.
ordered_json overlay_status(int64_t magic, bool mount_program) {
  return {{"Backing Filesystem", backing_filesystem(magic)},
          {"Native Overlay Diff", mount_program ? "false" : "true"},
          {"Supports d_type", "true"},
          {"Using metacopy", "false"}};
}

// A Go struct seen twice: by its Go field names (what templates read) and by its JSON names
// (what json and YAML print), fields in the struct's order.
struct GoStruct {
  ordered_json go = ordered_json::object();
  ordered_json json = ordered_json::object();

  GoStruct& add(const char* go_name, const char* json_name, const ordered_json& value) {
    go[go_name] = value;
    json[json_name] = value;
    return *this;
  }
  GoStruct& add(const char* go_name, const char* json_name, const GoStruct& value) {
    go[go_name] = value.go;
    json[json_name] = value.json;
    return *this;
  }
};

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

GoStruct host_info() {
  Platform platform = Platform::host();
  auto os_release = read_pairs("/etc/os-release", '=');
  if (os_release.empty()) os_release = read_pairs("/usr/lib/os-release", '=');
  auto meminfo = read_pairs("/proc/meminfo", ':');
  struct utsname uts {};
  ::uname(&uts);
  char hostname[256] = {};
  ::gethostname(hostname, sizeof hostname - 1);

  GoStruct distribution;
  distribution.add("Distribution", "distribution", os_release["ID"]);
  distribution.go["Variant"] = os_release["VARIANT_ID"];
  if (!os_release["VARIANT_ID"].empty()) distribution.json["variant"] = os_release["VARIANT_ID"];
  distribution.add("Version", "version", os_release["VERSION_ID"]);
  distribution.add("Codename", "codename", os_release["VERSION_CODENAME"]);
  GoStruct security;
  security.add("Rootless", "rootless", ::geteuid() != 0);

  GoStruct host;
  host.add("Arch", "arch", platform.architecture)
      .add("CPUs", "cpus", cpus())
      .add("Distribution", "distribution", distribution)
      .add("Hostname", "hostname", std::string(hostname))
      .add("Kernel", "kernel", std::string(uts.release))
      .add("MemFree", "memFree", meminfo_bytes(meminfo, "MemFree"))
      .add("MemTotal", "memTotal", meminfo_bytes(meminfo, "MemTotal"))
      .add("OS", "os", platform.os)
      .add("ServiceIsRemote", "serviceIsRemote", false)
      .add("Security", "security", security)
      .add("SwapFree", "swapFree", meminfo_bytes(meminfo, "SwapFree"))
      .add("SwapTotal", "swapTotal", meminfo_bytes(meminfo, "SwapTotal"))
      .add("Uptime", "uptime", uptime());
  return host;
}

GoStruct store_info(Context& ctx) {
  store::Store& store = ctx.store();
  int64_t images = static_cast<int64_t>(store.images({.digests = false, .details = false}).size());
  int64_t containers = static_cast<int64_t>(store.containers().size());
  struct statfs st {};
  if (::statfs(store.root().c_str(), &st) != 0) fail_errno("statfs", store.root().string());
  uint64_t allocated = static_cast<uint64_t>(st.f_bsize) * st.f_blocks;
  uint64_t used = allocated - static_cast<uint64_t>(st.f_bsize) * st.f_bfree;

  GoStruct container_store;  // schicht's containers never run: all are stopped, as podman counts
  container_store.add("Number", "number", containers)
      .add("Paused", "paused", 0)
      .add("Running", "running", 0)
      .add("Stopped", "stopped", containers);
  GoStruct image_store;
  image_store.add("Number", "number", images);
  const std::string& runroot = ctx.options().runroot;
  GoStruct info;
  // How containers' root filesystems are made from the diff snapshots
  // (containers/storage_driver.h).
  containers::DriverRequest driver_asked = driver_request(ctx);
  std::string driver(containers::storage_driver_name(containers::storage_driver(driver_asked)));
  const std::string& mount_program = containers::overlay_mount_program(driver_asked);
  ordered_json graph_options = ordered_json::object();
  if (driver == "overlay" && !mount_program.empty()) {
    graph_options["overlay.mount_program"] = mount_program_info(mount_program);
  }
  info.add("ContainerStore", "containerStore", container_store)
      .add("GraphDriverName", "graphDriverName", driver)
      .add("GraphOptions", "graphOptions", graph_options)
      .add("GraphRoot", "graphRoot", store.root().string())
      .add("GraphRootAllocated", "graphRootAllocated", allocated)
      .add("GraphRootUsed", "graphRootUsed", used)
      .add("GraphStatus", "graphStatus",
           driver == "overlay" ? overlay_status(st.f_type, !mount_program.empty())
                               : ordered_json::object())
      .add("ImageCopyTmpDir", "imageCopyTmpDir", temp_root().string())
      .add("ImageStore", "imageStore", image_store)
      .add("RunRoot", "runRoot", runroot.empty() ? store.root().string() : runroot);
  return info;
}

const char* pull_from_mirror(registry::MirrorUse use) {
  switch (use) {
    case registry::MirrorUse::kDigestOnly:
      return "digest-only";
    case registry::MirrorUse::kTagOnly:
      return "tag-only";
    case registry::MirrorUse::kAll:
      break;
  }
  return "";  // unset and "all" read alike
}

// podman's map of registries.conf: each [[registry]] by prefix, "search" for the
// unqualified-search registries when there are any.
ordered_json registries_info() {
  registry::RegistriesConf conf = registry::RegistriesConf::load();
  ordered_json out = ordered_json::object();
  for (const auto& r : conf.registries()) {
    ordered_json mirrors = nullptr;
    for (const auto& m : r.mirrors) {
      mirrors.push_back({{"Location", m.location},
                         {"Insecure", m.insecure},
                         {"PullFromMirror", pull_from_mirror(m.use)}});
    }
    out[r.prefix] = {{"Prefix", r.prefix},
                     {"Location", r.location},
                     {"Insecure", r.insecure},
                     {"PullFromMirror", ""},
                     {"Mirrors", mirrors},
                     {"Blocked", r.blocked},
                     {"MirrorByDigestOnly", r.mirror_by_digest_only}};
  }
  if (!conf.unqualified_search_registries().empty()) {
    out["search"] = conf.unqualified_search_registries();
  }
  return out;
}

const GoTypes& info_types() {
  static const GoTypes kTypes = {
      {"", "*define.Info"},
      {"Host", "*define.HostInfo"},
      {"Host.Distribution", "define.DistributionInfo"},
      {"Host.Security", "define.SecurityInfo"},
      {"Store", "*define.StoreInfo"},
      {"Store.ContainerStore", "define.ContainerStore"},
      {"Store.ImageStore", "define.ImageStore"},
      {"Store.GraphOptions", "map[string]interface {}"},
      {"Store.GraphStatus", "map[string]string"},
      {"Registries", "map[string]interface {}"},
      {"Version", "define.Version"},
  };
  return kTypes;
}

}  // namespace

int cmd_info(Context& ctx, InfoOptions& parsed, Invocation& invocation) {
  auto& [format] = parsed;
  auto& positional = invocation.positional;
  if (!positional.empty()) fail(ErrorKind::kInvalidInput, "`schicht info` takes no arguments");
  std::optional<Template> tmpl;
  if (!format.empty() && !is_json_format(format)) tmpl = parse_object_format(format, "info");

  GoStruct info;
  info.add("Host", "host", host_info())
      .add("Store", "store", store_info(ctx))
      .add("Registries", "registries", registries_info())
      .add("Version", "version", version_report());
  if (tmpl) {
    std::string out;
    try {
      tmpl->execute(out, info.go, info_types());
    } catch (const Error&) {
      fmt::print("{}", out);
      throw;
    }
    fmt::print("{}", out);
  } else if (!format.empty()) {
    fmt::print("{}", json_report(info.json, 2));
  } else {
    fmt::print("{}\n", go_yaml(info.json));
  }
  return 0;
}

}  // namespace schicht::cli
