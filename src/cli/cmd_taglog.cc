// Beyond podman: `image tag-log` (every move of a name, newest first) and `image rollback`
// (point a name back at the image it named before its last move: images/rollback.h).
#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/render.h"
#include "core/error.h"
#include "core/time.h"
#include "images/rollback.h"

namespace schicht::cli {
using images::stored_name;
using nlohmann::ordered_json;

int cmd_image_tag_log(Context& ctx, ImageTagLogOptions& parsed, Invocation& invocation) {
  auto& [format, no_trunc, noheading] = parsed;
  auto& positional = invocation.positional;
  std::vector<std::string> names;
  for (const auto& p : positional) names.push_back(stored_name(p));
  auto log = ctx.store().tag_log(names);
  ordered_json json_rows = ordered_json::array();
  ordered_json rows = ordered_json::array();
  // An init-capture: clang 14 cannot capture a structured binding.
  auto id_text = [no_trunc = no_trunc](const std::optional<Digest>& d) {
    return !d ? std::string("<none>") : no_trunc ? d->str() : d->short_hex();
  };
  for (const auto& e : log) {
    std::string time = format_rfc3339_nano(e.time);
    ordered_json j;
    j["time"] = time;
    j["name"] = e.name;
    j["action"] = e.action;
    j["from"] = e.from ? ordered_json(e.from->str()) : ordered_json(nullptr);
    j["to"] = e.to ? ordered_json(e.to->str()) : ordered_json(nullptr);
    json_rows.push_back(j);
    ordered_json r;
    r["Time"] = time;
    r["Name"] = e.name;
    r["Action"] = e.action;
    r["From"] = id_text(e.from);
    r["To"] = id_text(e.to);
    rows.push_back(r);
  }
  if (!format.empty() && is_json_format(format)) {
    fmt::print("{}", json_report(json_rows, 4));
    return 0;
  }
  ReportSpec spec{.name = "tag-log",
                  .default_format = "table {{.Time}}\t{{.Name}}\t{{.Action}}\t{{.From}}\t{{.To}}\n",
                  .headers = {{"Time", "TIME"},
                              {"Name", "NAME"},
                              {"Action", "ACTION"},
                              {"From", "FROM"},
                              {"To", "TO"}}};
  print_report(spec, format, noheading, rows);
  return 0;
}

int cmd_image_rollback(Context& ctx, NoOptions& /*options*/, Invocation& invocation) {
  auto& positional = invocation.positional;
  store::Store& store = ctx.store();
  std::string name = stored_name(positional[0]);
  Digest image = images::rollback_name(store, name);
  fmt::print("{} -> {}\n", name, image.hex());
  return 0;
}

}  // namespace schicht::cli
