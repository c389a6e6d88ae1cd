// inspect / image inspect, and history.
#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/humanize.h"
#include "cli/image_json.h"
#include "cli/report.h"
#include "cli/template.h"
#include "core/error.h"
#include "core/time.h"
#include "oci/config.h"
#include "store/lookup.h"

namespace schicht::cli {

using nlohmann::ordered_json;

int cmd_inspect(Context& ctx, CommandArgs args) {
  FlagSet flags;
  std::string format, type = "image";
  bool size = false;
  flags.add_string("format", 'f', &format, "Format the output using the given Go template");
  flags.add_string("type", 't', &type, "Specify inspect-object type (image)");
  flags.add_bool("size", 's', &size, "Display total file size");
  bool help = false;
  auto names =
      parse_command_flags(ctx, flags, args, "schicht inspect [options] IMAGE [IMAGE...]", &help);
  if (help) return 0;
  if (names.empty()) fail(ErrorKind::kInvalidInput, "no names or ids specified");
  if (type != "image" && type != "all") {
    fail(ErrorKind::kInvalidInput,
         fmt::format("invalid type {:?}: schicht inspects images only", type));
  }
  store::Store& store = ctx.store();
  ordered_json docs = ordered_json::array();
  std::vector<std::string> errors;
  for (const auto& name : names) {
    auto id = store::find_image(store, name);
    if (!id) {
      errors.push_back(fmt::format("{}: image not known", name));
      continue;
    }
    docs.push_back(inspect_json(store, *id));
  }
  std::string out;
  if (format.empty() || is_json_format(format)) {
    out = json_report_raw(docs, 5);  // podman's inspect leaves '<', '>' and '&' as they are
  } else {
    Template tmpl = parse_object_format(inspect_normalize(format, true), "inspect");
    for (const auto& doc : docs) {
      tmpl.execute(out, inspect_template_view(doc), inspect_template_types());
    }
  }
  fmt::print("{}", out);
  if (!errors.empty()) {
    std::fflush(stdout);
    fmt::print(stderr, "Error: inspecting object: {}\n", errors.front());
    return 125;
  }
  return 0;
}

int cmd_history(Context& ctx, CommandArgs args) {
  FlagSet flags;
  std::string format;
  bool human = true, no_trunc = false, quiet = false;
  flags.add_string("format", 0, &format, "Change the output to JSON or a Go template");
  flags.add_bool("human", 'H', &human, "Display sizes and dates in human readable format");
  flags.add_bool("no-trunc", 0, &no_trunc, "Do not truncate the output");
  flags.add_bool("notruncate", 0, &no_trunc, "Do not truncate the output");
  flags.add_bool("quiet", 'q', &quiet, "Display the numeric IDs only");
  bool help = false;
  auto names = parse_command_flags(ctx, flags, args, "schicht history [options] IMAGE", &help);
  if (help) return 0;
  if (names.size() != 1) {
    fail(ErrorKind::kInvalidInput, fmt::format("accepts 1 arg(s), received {}", names.size()));
  }
  store::Store& store = ctx.store();
  Digest id = store::resolve_image(store, names[0]);
  ImageConfig config = load_config(store, id);
  auto layers = store.layers(id);
  int64_t now = store::now_ns();

  // Newest entry first; the top one carries the image ID, the others "<missing>" as in podman.
  ordered_json rows = ordered_json::array();
  ordered_json json_rows = ordered_json::array();
  size_t layer = layers.size();
  for (size_t i = config.history.size(); i-- > 0;) {
    const HistoryEntry& h = config.history[i];
    uint64_t size = 0;
    if (!h.empty_layer && layer > 0) size = layers[--layer].uncompressed_size;
    bool top = i + 1 == config.history.size();
    std::string full_id = top ? std::string(id.hex()) : "<missing>";
    int64_t created = h.created.empty() ? 0 : rfc3339_to_unix_nanos(h.created);
    std::string created_by = h.created_by;
    if (!no_trunc && created_by.size() > 45) created_by = created_by.substr(0, 42) + "...";
    std::string created_at = format_rfc3339_nano(created);
    ordered_json row;
    row["ID"] = top && !no_trunc ? id.short_hex() : full_id;
    // podman: time.RFC3339, whole seconds.
    row["Created"] = human ? human_age(created, now)
                           : format_rfc3339_nano(created / 1'000'000'000 * 1'000'000'000);
    row["CreatedBy"] = created_by;
    row["Size"] = human_size(size);  // podman's --human changes dates only
    row["Comment"] = h.comment;
    row["CreatedAt"] = go_time_string(created);  // podman: the image list's CreatedAt
    row["CreatedSince"] = human_age(created, now);
    row["Tags"] = ordered_json::array();
    rows.push_back(row);
    ordered_json j;
    j["id"] = full_id;
    j["created"] = h.created;
    j["CreatedBy"] = h.created_by;
    j["size"] = size;
    if (!h.comment.empty()) j["comment"] = h.comment;
    j["Created"] = created_at;
    json_rows.push_back(j);
  }
  if (quiet) {
    for (const auto& r : rows) fmt::print("{}\n", r["ID"].get<std::string>());
    return 0;
  }
  if (is_json_format(format)) {
    // podman prints history JSON compactly, unlike every other command; Go escapes <, > and &
    // (only strings can hold them, so replacing in the whole text is exact).
    std::string text = json_rows.dump();
    std::string escaped;
    for (char c : text) {
      if (c == '<')
        escaped += "\\u003c";
      else if (c == '>')
        escaped += "\\u003e";
      else if (c == '&')
        escaped += "\\u0026";
      else
        escaped += c;
    }
    fmt::print("{}\n", escaped);
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
  print_report(spec, format, false, rows);
  return 0;
}

}  // namespace schicht::cli
