// create, ps, rm, container exists, container inspect: podman's flags and output; the
// containers themselves (root filesystems, names, removal) are containers/containers.h's.
#include <set>

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/render.h"
#include "containers/containers.h"
#include "copy/pull_up.h"
#include "core/error.h"
#include "core/time.h"
#include "images/inspect.h"
#include "oci/config.h"
#include "store/lookup.h"

namespace schicht::cli {
namespace {

using nlohmann::ordered_json;

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

ordered_json container_row(const store::ContainerInfo& c, bool no_trunc, int64_t now) {
  ordered_json r;
  r["ID"] = no_trunc ? c.id : c.id.substr(0, 12);
  r["Image"] = c.image_name;
  r["ImageID"] = std::string(c.image_id.hex());
  std::string command = joined(c.command);
  if (!no_trunc && command.size() > 20) command = command.substr(0, 17) + "...";
  r["Command"] = command;
  r["CreatedHuman"] = human_age(c.created, now);
  r["Created"] = human_age(c.created, now);
  r["CreatedAt"] = human_age(c.created, now);
  r["Status"] = "Created";
  r["State"] = "created";
  r["Ports"] = "";
  r["Names"] = c.name;
  r["Size"] = human_size(c.size);
  return r;
}

// One container as `ps --format json` shows it.
ordered_json container_json(const store::ContainerInfo& c, int64_t now) {
  ordered_json j;
  j["AutoRemove"] = false;
  j["Command"] = c.command;
  j["CreatedAt"] = human_age(c.created, now);
  j["Exited"] = false;
  j["Id"] = c.id;
  j["Image"] = c.image_name;
  j["ImageID"] = std::string(c.image_id.hex());
  j["Names"] = {c.name};
  j["State"] = "created";
  j["Status"] = "";
  j["Created"] = c.created / 1'000'000'000;
  return j;
}

}  // namespace

int cmd_create(Context& ctx, CreateOptions& parsed, Invocation& invocation) {
  auto& [name] = parsed;
  auto& positional = invocation.positional;
  store::Store& store = ctx.store();
  auto [holder, image] = ctx.resolve_image(positional[0]);
  // A container's row names an image of its own store: an image of an additional store is
  // pulled up into the primary store first, as containers/storage pulls one up to change it.
  if (holder->additional()) copy::pull_up_image(store, *holder, image);
  auto info = store.image(image);
  ImageConfig config = images::image_config(store, image);
  std::vector<std::string> command(positional.begin() + 1, positional.end());
  if (command.empty()) {
    if (config.config.entrypoint) command = *config.config.entrypoint;
    if (config.config.cmd)
      command.insert(command.end(), config.config.cmd->begin(), config.config.cmd->end());
  }
  std::string image_name =
      store::find_name(store, image, positional[0])
          .value_or(info->names.empty() ? std::string(image.hex()) : info->names.front());

  store::ContainerInfo c = containers::create_container(store, {.image = image,
                                                                .name = name,
                                                                .image_name = image_name,
                                                                .command = command,
                                                                .driver = driver_request(ctx)});
  fmt::print("{}\n", c.id);
  return 0;
}

int cmd_ps(Context& ctx, PsOptions& parsed, Invocation& /*invocation*/) {
  auto& [all, quiet, no_trunc, noheading, size, format, external] = parsed;
  int64_t now = store::now_ns();
  // schicht never runs containers: without -a, none is listed (none runs).
  std::vector<store::ContainerInfo> list;
  if (all) list = ctx.store().containers();
  if (quiet) {
    for (const auto& c : list) fmt::print("{}\n", no_trunc ? c.id : c.id.substr(0, 12));
    return 0;
  }
  if (!format.empty() && is_json_format(format)) {
    ordered_json out = ordered_json::array();
    for (const auto& c : list) out.push_back(container_json(c, now));
    fmt::print("{}", json_report(out, 2));
    return 0;
  }
  ordered_json rows = ordered_json::array();
  for (const auto& c : list) rows.push_back(container_row(c, no_trunc, now));
  ReportSpec spec{.name = "ps",
                  .default_format =
                      "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.Created}}\t"
                      "{{.Status}}\t{{.Ports}}\t{{.Names}}\n",
                  .headers = {{"ID", "CONTAINER ID"},
                              {"Image", "IMAGE"},
                              {"ImageID", "IMAGE ID"},
                              {"Command", "COMMAND"},
                              {"Created", "CREATED"},
                              {"CreatedAt", "CREATED AT"},
                              {"CreatedHuman", "CREATED"},
                              {"Status", "STATUS"},
                              {"State", "STATE"},
                              {"Ports", "PORTS"},
                              {"Names", "NAMES"},
                              {"Size", "SIZE"}}};
  print_report(spec, format, noheading, rows);
  return 0;
}

int cmd_rm(Context& ctx, RmOptions& parsed, Invocation& invocation) {
  auto& [all, force, ignore, volumes, stop_timeout] = parsed;
  const FlagSet& flags = invocation.flags;
  auto& names = invocation.positional;
  // No container runs here, so there is nothing to stop; the flag is checked as podman does.
  if (flags.changed("time") && !force)
    fail(ErrorKind::kInvalidInput, "--force option must be specified to use the --time option");
  store::Store& store = ctx.store();
  if (all) {
    for (const auto& c : store.containers()) names.push_back(c.id);
  } else if (names.empty()) {
    fail(ErrorKind::kInvalidInput, "must specify at least one container name or ID");
  }
  int code = 0;
  for (const auto& name : names) {
    auto c = store.find_container(name);
    if (!c) {
      if (ignore) continue;
      fmt::print(stderr, "Error: no container with name or ID {:?} found: no such container\n",
                 name);
      code = 1;
      continue;
    }
    containers::remove_container_unmeasured(store, c->id);
    fmt::print("{}\n", name);
  }
  return code;
}

int cmd_container_exists(Context& ctx, NoOptions& /*options*/, Invocation& invocation) {
  auto& positional = invocation.positional;
  return ctx.store().find_container(positional[0]) ? 0 : 1;
}

int cmd_container_inspect(Context& ctx, ContainerInspectOptions& parsed, Invocation& invocation) {
  auto& [format, latest] = parsed;
  auto& names = invocation.positional;
  return inspect_objects(ctx, names, format, "container", latest);
}

}  // namespace schicht::cli
