// inspect (images and containers), image inspect, and history.
#include <algorithm>
#include <optional>

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "artifacts/inspect_fields.h"
#include "cli/commands.h"
#include "cli/render.h"
#include "containers/containers.h"
#include "core/error.h"
#include "core/time.h"
#include "gotemplate/template.h"
#include "images/inspect.h"
#include "store/lookup.h"

namespace schicht::cli {

using nlohmann::ordered_json;

namespace {

// podman's message for a name `type` does not know. schicht has no pods, volumes or networks,
// so every name of those types is unknown, in podman's words.
std::string not_found(const std::string& type, const std::string& name) {
  if (type == "image") return fmt::format("{}: image not known", name);
  if (type == "container") return fmt::format("no such container {}", name);
  if (type == "pod") return fmt::format("no such pod {}", name);
  if (type == "volume") return fmt::format("no such volume {}", name);
  if (type == "network") {
    return fmt::format("network {}: unable to find network with name or ID {}: network not found",
                       name, name);
  }
  return fmt::format("no such object: {:?}", name);
}

struct Inspected {
  ordered_json doc;
  bool image;
  store::Store* store = nullptr;  // an image's (the supply-chain fields are read from it)
};

// The documents of `wanted` found as `type`, and podman's message for each name not found.
// --type all looks for a container first, then an image, so a name both have is the container's.
std::vector<Inspected> find_objects(Context& ctx, const std::vector<std::string>& wanted,
                                    const std::string& type, std::vector<std::string>& errors) {
  store::Store& store = ctx.store();
  std::vector<Inspected> found;
  for (const auto& name : wanted) {
    if (type == "container" || type == "all") {
      if (auto c = store.find_container(name)) {
        found.push_back({containers::container_inspect_json(store, *c), false});
        continue;
      }
    }
    if (type == "image" || type == "all") {
      if (auto image = ctx.find_image(name)) {  // additional image stores too
        found.push_back({images::inspect_json(*image->store, image->id), true, image->store});
        continue;
      }
    }
    errors.push_back(not_found(type, name));
  }
  return found;
}

// The documents as JSON, or each through the template (rewritten for images or containers).
std::string render_objects(std::vector<Inspected>& found, const std::string& format) {
  std::string out;
  if (format.empty() || is_json_format(format)) {
    ordered_json docs = ordered_json::array();
    for (auto& f : found) docs.push_back(std::move(f.doc));
    return json_report_raw(docs, 5);  // podman's inspect leaves '<', '>' and '&' as they are
  }
  std::optional<Template> for_images, for_containers;
  // {{.Referrers}} and {{.Signatures}}: view-only fields (artifacts/inspect_fields.h).
  bool supply_chain = artifacts::names_supply_chain_fields(format);
  gotemplate::GoTypes image_types = inspect_template_types();
  if (supply_chain) artifacts::add_supply_chain_types(image_types);
  for (const auto& f : found) {
    auto& tmpl = f.image ? for_images : for_containers;
    if (!tmpl) tmpl = parse_object_format(inspect_normalize(format, f.image), "inspect");
    if (f.image) {
      ordered_json view = inspect_template_view(f.doc);
      if (supply_chain) {
        artifacts::add_supply_chain_fields(
            *f.store, Digest::parse(f.doc.at("Digest").get<std::string>()), view);
      }
      tmpl->execute(out, view, image_types);
    } else {
      tmpl->execute(out, inspect_template_view(f.doc));
    }
  }
  return out;
}

}  // namespace

// Prints every object of `names` found as `type`, then the errors: all but the first as
// "error inspecting object: ...", the first as the command's error (podman 4.3's order).
// `latest` (podman's --latest) inspects the container created last instead of names.
int inspect_objects(Context& ctx, const std::vector<std::string>& names, const std::string& format,
                    const std::string& type, bool latest) {
  if (latest) {
    if (!names.empty()) {
      fail(ErrorKind::kInvalidInput, "--latest and arguments cannot be used together");
    }
    if (type == "image") {
      fail(ErrorKind::kInvalidInput, fmt::format("latest is not supported for type {:?}", type));
    }
    if (type == "pod") fail(ErrorKind::kNotFound, "no such pod");  // schicht has no pods

  } else if (names.empty()) {
    fail(ErrorKind::kInvalidInput, "no names or ids specified");
  }
  std::vector<std::string> errors;
  std::vector<std::string> wanted = names;
  if (latest && (type == "container" || type == "all")) {  // no latest volume or network
    auto containers = ctx.store().containers();
    auto last =
        std::max_element(containers.begin(), containers.end(),
                         [](const auto& a, const auto& b) { return a.created < b.created; });
    if (last == containers.end()) {
      errors.push_back("no containers to inspect: no such container");
    } else {
      wanted.push_back(last->id);
    }
  }
  std::vector<Inspected> found = find_objects(ctx, wanted, type, errors);
  fmt::print("{}", render_objects(found, format));
  if (!errors.empty()) {
    std::fflush(stdout);
    for (size_t i = 1; i < errors.size(); ++i) {
      fmt::print(stderr, "error inspecting object: {}\n", errors[i]);
    }
    fmt::print(stderr, "Error: inspecting object: {}\n", errors.front());
    return 125;
  }
  return 0;
}

int cmd_inspect(Context& ctx, InspectOptions& parsed, Invocation& invocation) {
  auto& [format, type, size, latest] = parsed;
  auto& names = invocation.positional;
  static const std::vector<std::string> kTypes = {"image",   "container", "pod",
                                                  "network", "volume",    "all"};
  if (std::find(kTypes.begin(), kTypes.end(), type) == kTypes.end()) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("invalid type {:?}: must be \"image\", \"container\", \"pod\", "
                     "\"network\", \"volume\", or \"all\"",
                     type));
  }
  return inspect_objects(ctx, names, format, type, latest);
}

int cmd_image_inspect(Context& ctx, ImageInspectOptions& parsed, Invocation& invocation) {
  auto& [format] = parsed;
  auto& names = invocation.positional;
  return inspect_objects(ctx, names, format, "image", false);
}

namespace {

// The ID column: the top entry's image ID, short unless --no-trunc; "<missing>" for the others.
std::string shown_history_id(const images::HistoryRow& h, const Digest& id, bool no_trunc) {
  return h.top && !no_trunc ? id.short_hex() : h.id;
}

// The table's rows (podman's history reporter).
ordered_json history_table_rows(const std::vector<images::HistoryRow>& history, const Digest& id,
                                bool human, bool no_trunc) {
  int64_t now = store::now_ns();
  ordered_json rows = ordered_json::array();
  for (const auto& h : history) {
    std::string created_by = h.created_by;
    if (!no_trunc && created_by.size() > 45) created_by = created_by.substr(0, 42) + "...";
    ordered_json row;
    row["ID"] = shown_history_id(h, id, no_trunc);
    // podman: time.RFC3339, whole seconds.
    row["Created"] = human ? human_age(h.created_ns, now)
                           : format_rfc3339_nano(h.created_ns / 1'000'000'000 * 1'000'000'000);
    row["CreatedBy"] = created_by;
    row["Size"] = human_size(h.size);  // podman's --human changes dates only
    row["Comment"] = h.comment;
    row["CreatedAt"] = go_time_string(h.created_ns);  // podman: the image list's CreatedAt
    row["CreatedSince"] = human_age(h.created_ns, now);
    row["Tags"] = ordered_json::array();
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

int cmd_history(Context& ctx, HistoryOptions& parsed, Invocation& invocation) {
  auto& [format, human, no_trunc, quiet] = parsed;
  auto& names = invocation.positional;
  auto [store_of_image, id] = ctx.resolve_image(names[0]);  // additional image stores too
  std::vector<images::HistoryRow> history = images::history_rows(*store_of_image, id);
  if (quiet) {
    for (const auto& h : history) fmt::print("{}\n", shown_history_id(h, id, no_trunc));
    return 0;
  }
  if (is_json_format(format)) {
    fmt::print("{}\n", images::history_json(history));
    return 0;
  }
  ReportSpec spec{.name = "history",
                  .default_format =
                      "table {{.ID}}\t{{.Created}}\t{{.CreatedBy}}\t{{.Size}}\t"
                      "{{.Comment}}\n",
                  .headers = {{"ID", "ID"},
                              {"Created", "CREATED"},
                              {"CreatedBy", "CREATED BY"},
                              {"Size", "SIZE"},
                              {"Comment", "COMMENT"},
                              {"CreatedAt", "CREATED AT"},
                              {"CreatedSince", "CREATED SINCE"},
                              {"Tags", "TAGS"}}};
  print_report(spec, format, false, history_table_rows(history, id, human, no_trunc));
  return 0;
}

}  // namespace schicht::cli
