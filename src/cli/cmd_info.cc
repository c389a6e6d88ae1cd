// info / system info: podman's system report, the parts that apply to an image manager.
#include <sys/statfs.h>
#include <unistd.h>

#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/render.h"
#include "cli/version_report.h"
#include "containers/storage_driver.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/host.h"
#include "core/platform.h"
#include "core/process.h"
#include "gotemplate/template.h"
#include "gotemplate/yaml.h"
#include "registry/registries_conf.h"
#include "store/storage_conf.h"

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

GoStruct host_info() {
  HostFacts facts = host_facts();
  GoStruct distribution;
  distribution.add("Distribution", "distribution", facts.distribution);
  distribution.go["Variant"] = facts.variant;
  if (!facts.variant.empty()) distribution.json["variant"] = facts.variant;
  distribution.add("Version", "version", facts.version);
  distribution.add("Codename", "codename", facts.codename);
  GoStruct security;
  security.add("Rootless", "rootless", facts.rootless);

  GoStruct host;
  host.add("Arch", "arch", facts.architecture)
      .add("CPUs", "cpus", facts.cpus)
      .add("Distribution", "distribution", distribution)
      .add("Hostname", "hostname", facts.hostname)
      .add("Kernel", "kernel", facts.kernel)
      .add("MemFree", "memFree", facts.mem_free)
      .add("MemTotal", "memTotal", facts.mem_total)
      .add("OS", "os", facts.os)
      .add("ServiceIsRemote", "serviceIsRemote", false)
      .add("Security", "security", security)
      .add("SwapFree", "swapFree", facts.swap_free)
      .add("SwapTotal", "swapTotal", facts.swap_total)
      .add("Uptime", "uptime", facts.uptime);
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
  // podman's graphOptions is a map: its keys come sorted, a repeated key's last value wins.
  std::map<std::string, ordered_json> options;
  for (auto& [key, value] :
       store::additional_store_graph_options(ctx.options().storage_opts, driver)) {
    options[key] = value;
  }
  if (driver == "overlay" && !mount_program.empty()) {
    options["overlay.mount_program"] = mount_program_info(mount_program);
  }
  ordered_json graph_options = ordered_json::object();
  for (auto& [key, value] : options) graph_options[key] = std::move(value);
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
    fmt::print("{}\n", gotemplate::go_yaml(info.json));
  }
  return 0;
}

}  // namespace schicht::cli
