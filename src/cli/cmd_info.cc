// info / system info: podman's system report, the parts that apply to an image manager.
#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/render.h"
#include "cli/version_report.h"
#include "containers/storage_info.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/host.h"
#include "gotemplate/template.h"
#include "gotemplate/yaml.h"
#include "registry/registries_info.h"

namespace schicht::cli {

using nlohmann::ordered_json;

namespace {

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
  containers::StorageInfo storage =
      containers::storage_info(ctx.store(), driver_request(ctx), ctx.options().runroot);
  GoStruct container_store;
  container_store.add("Number", "number", storage.containers)
      .add("Paused", "paused", 0)
      .add("Running", "running", 0)
      .add("Stopped", "stopped", storage.containers);
  GoStruct image_store;
  image_store.add("Number", "number", storage.images);
  GoStruct info;
  info.add("ContainerStore", "containerStore", container_store)
      .add("GraphDriverName", "graphDriverName", storage.driver)
      .add("GraphOptions", "graphOptions", storage.graph_options)
      .add("GraphRoot", "graphRoot", storage.root.string())
      .add("GraphRootAllocated", "graphRootAllocated", storage.root_allocated)
      .add("GraphRootUsed", "graphRootUsed", storage.root_used)
      .add("GraphStatus", "graphStatus", storage.graph_status)
      .add("ImageCopyTmpDir", "imageCopyTmpDir", temp_root().string())
      .add("ImageStore", "imageStore", image_store)
      .add("RunRoot", "runRoot", storage.run_root.string());
  return info;
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
      .add("Registries", "registries", registry::registries_info(registry::RegistriesConf::load()))
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
