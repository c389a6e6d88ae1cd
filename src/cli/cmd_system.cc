// image prune, system prune, system df, system check: what the store holds, what can go, and
// whether it is healthy. Freed space is what was really freed on disk.
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/humanize.h"
#include "cli/image_filter.h"
#include "cli/report.h"
#include "core/error.h"
#include "core/reference.h"
#include "store/check.h"
#include "store/usage.h"

namespace schicht::cli {
namespace {

using nlohmann::ordered_json;

// podman's confirmation: anything but y/Y declines.
bool confirm(std::string_view warning) {
  fmt::print("{}\nAre you sure you want to continue? [y/N] ", warning);
  std::fflush(stdout);
  std::string answer;
  std::getline(std::cin, answer);
  return answer == "y" || answer == "Y";
}

struct PruneResult {
  std::vector<Digest> removed;
  uint64_t freed = 0;
};

// Removes the images `all` selects (dangling ones otherwise) that pass `filters`.
PruneResult prune_images(store::Store& store, bool all, const std::vector<std::string>& filters) {
  for (const auto& f : filters) {
    std::string key = f.substr(0, f.find('='));
    if (key != "until" && key != "label" && key != "label!") {
      fail(ErrorKind::kInvalidInput, fmt::format("{} is an invalid filter", key));
    }
  }
  ImageFilter filter(store, filters, store::now_ns());
  PruneResult result;
  for (const auto& image : store.images()) {
    if (!all && !image.names.empty()) continue;
    if (!filter.matches(image)) continue;
    store::RemovalReport r = store.remove_image(image.id);
    result.removed.push_back(image.id);
    result.freed += r.freed_bytes;
  }
  return result;
}

}  // namespace

int cmd_image_prune(Context& ctx, CommandArgs args) {
  FlagSet flags;
  bool all = false, force = false, external = false;
  std::vector<std::string> filters;
  flags.add_bool("all", 'a', &all,
                 "Remove all images not in use by containers, not just dangling ones");
  flags.add_bool("force", 'f', &force, "Do not prompt for confirmation");
  flags.add_bool("external", 0, &external, "Remove images even when used by external containers");
  flags.add_strings("filter", 0, &filters, "Provide filter values (e.g. 'label=<key>=<value>')");
  bool help = false;
  auto positional = parse_command_flags(ctx, flags, args, "schicht image prune [options]", &help);
  if (help) return 0;
  if (!positional.empty()) {
    fail(ErrorKind::kInvalidInput, fmt::format("accepts 0 arg(s), received {}", positional.size()));
  }
  if (!force) {
    std::string_view warning =
        all ? "WARNING! This command removes all images without at least one container "
              "associated with them."
            : "WARNING! This command removes all dangling images.";
    if (!confirm(warning)) return 0;
  }
  PruneResult result = prune_images(ctx.store(), all, filters);
  for (const auto& id : result.removed) fmt::print("{}\n", id.hex());
  return 0;
}

int cmd_system_prune(Context& ctx, CommandArgs args) {
  FlagSet flags;
  bool all = false, force = false, volumes = false, external = false;
  std::vector<std::string> filters;
  flags.add_bool("all", 'a', &all, "Remove all unused data");
  flags.add_bool("force", 'f', &force, "Do not prompt for confirmation");
  flags.add_bool("volumes", 0, &volumes, "Prune volumes (accepted; schicht has none)");
  flags.add_bool("external", 0, &external,
                 "Remove container data in storage not controlled by podman");
  flags.add_strings("filter", 0, &filters, "Provide filter values (e.g. 'label=<key>=<value>')");
  bool help = false;
  auto positional = parse_command_flags(ctx, flags, args, "schicht system prune [options]", &help);
  if (help) return 0;
  if (!positional.empty()) {
    fail(ErrorKind::kInvalidInput, fmt::format("accepts 0 arg(s), received {}", positional.size()));
  }
  if (!force) {
    std::string warning = fmt::format(
        "WARNING! This command removes:\n\t- all stopped containers\n\t- all {} images\n",
        all ? "unused" : "dangling");
    if (!confirm(warning)) return 0;
  }
  PruneResult result = prune_images(ctx.store(), all, filters);
  if (!result.removed.empty()) {
    fmt::print("Deleted Images\n");
    for (const auto& id : result.removed) fmt::print("{}\n", id.hex());
  }
  fmt::print("Total reclaimed space: {}\n", human_size_compact(result.freed));
  return 0;
}

int cmd_system_df(Context& ctx, CommandArgs args) {
  FlagSet flags;
  bool verbose = false;
  std::string format;
  flags.add_bool("verbose", 'v', &verbose, "Show detailed information on disk usage");
  flags.add_string("format", 0, &format, "Pretty-print images using a Go template");
  bool help = false;
  auto positional = parse_command_flags(ctx, flags, args, "schicht system df [options]", &help);
  if (help) return 0;
  store::Store& store = ctx.store();
  store::Usage usage = store::usage(store);
  auto images = store.images();
  int64_t now = store::now_ns();
  if (verbose) {
    if (!format.empty()) {
      fail(ErrorKind::kInvalidInput, "cannot combine --format and --verbose flags");
    }
    ordered_json rows = ordered_json::array();
    for (const auto& image : images) {
      const store::ImageUsage& u = usage.images[image.id.str()];
      std::vector<std::pair<std::string, std::string>> names;
      for (const auto& n : image.names) {
        auto ref = Reference::try_parse(n);
        if (ref) names.emplace_back(ref->name(), ref->tag);
      }
      if (names.empty()) names.emplace_back("<none>", "<none>");
      for (const auto& [repo, tag] : names) {
        ordered_json r;
        r["Repository"] = repo;
        r["Tag"] = tag;
        r["ImageID"] = image.id.short_hex();
        r["Created"] = human_duration(image.created, now);
        r["Size"] = human_size_compact(u.bytes);
        r["SharedSize"] = human_size_compact(u.shared);
        r["UniqueSize"] = human_size_compact(u.unique());
        r["Containers"] = 0;
        rows.push_back(std::move(r));
      }
    }
    ReportSpec spec{.name = "df",
                    .default_format =
                        "table {{.Repository}}\t{{.Tag}}\t{{.ImageID}}\t{{.Created}}\t"
                        "{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}\n",
                    .headers = {{"Repository", "REPOSITORY"},
                                {"Tag", "TAG"},
                                {"ImageID", "IMAGE ID"},
                                {"Created", "CREATED"},
                                {"Size", "SIZE"},
                                {"SharedSize", "SHARED SIZE"},
                                {"UniqueSize", "UNIQUE SIZE"},
                                {"Containers", "CONTAINERS"}}};
    std::string out = "Images space usage:\n\n";
    write_report(out, spec, {}, rows);
    out += "\nContainers space usage:\n\n";
    out +=
        "CONTAINER ID  IMAGE       COMMAND     LOCAL VOLUMES  SIZE        CREATED     STATUS      "
        "NAMES\n";
    out += "\nLocal Volumes space usage:\n\nVOLUME NAME  LINKS       SIZE\n";
    fmt::print("{}", out);
    return 0;
  }
  // Every image is reclaimable while no container uses it.
  auto percent = [](uint64_t part, uint64_t whole) {
    return whole == 0 ? 0
                      : static_cast<int>(
                            (100.0 * static_cast<double>(part)) / static_cast<double>(whole) + 0.5);
  };
  ordered_json rows = ordered_json::array();
  auto row = [&](const char* type, size_t total, size_t active, uint64_t size, uint64_t reclaim) {
    ordered_json r;
    r["Type"] = type;
    r["Total"] = total;
    r["Active"] = active;
    r["RawSize"] = size;
    r["RawReclaimable"] = reclaim;
    r["Size"] = human_size_compact(size);
    r["Reclaimable"] = fmt::format("{} ({}%)", human_size_compact(reclaim), percent(reclaim, size));
    rows.push_back(std::move(r));
  };
  row("Images", images.size(), 0, usage.image_bytes, usage.image_bytes);
  row("Containers", 0, 0, 0, 0);
  row("Local Volumes", 0, 0, 0, 0);
  if (!format.empty() && is_json_format(format)) {
    fmt::print("{}", json_report(rows, 4));
    return 0;
  }
  ReportSpec spec{.name = "df",
                  .default_format =
                      "table {{.Type}}\t{{.Total}}\t{{.Active}}\t{{.Size}}\t"
                      "{{.Reclaimable}}\n",
                  .headers = {{"Type", "TYPE"},
                              {"Total", "TOTAL"},
                              {"Active", "ACTIVE"},
                              {"Size", "SIZE"},
                              {"Reclaimable", "RECLAIMABLE"},
                              {"RawSize", "RAW SIZE"},
                              {"RawReclaimable", "RAW RECLAIMABLE"}}};
  ReportOptions options;
  if (!format.empty()) options.format = format;
  std::string out;
  write_report(out, spec, options, rows);
  fmt::print("{}", out);
  return 0;
}

int cmd_system_check(Context& ctx, CommandArgs args) {
  FlagSet flags;
  store::CheckOptions options;
  std::string max;
  flags.add_bool("quick", 'q', &options.quick, "Skip time-consuming checks (no hashing)");
  flags.add_bool("repair", 'r', &options.repair, "Remove inconsistent images and leftovers");
  flags.add_bool("force", 'f', &options.force, "Remove damaged images too (with --repair)");
  flags.add_string("max", 'm', &max, "Maximum allowed age of unreferenced layers (accepted)");
  bool help = false;
  auto positional = parse_command_flags(ctx, flags, args, "schicht system check [options]", &help);
  if (help) return 0;
  store::CheckReport report = store::check_store(ctx.store(), options);
  for (const auto& p : report.problems) fmt::print("{}\n", p);
  for (const auto& r : report.repairs) fmt::print("{}\n", r);
  fmt::print(
      "Checked {} images and {} blobs: {}\n", report.images_checked, report.blobs_checked,
      report.unrepaired == 0 ? "no problems" : fmt::format("{} problems", report.unrepaired));
  if (report.unrepaired != 0) {
    std::fflush(stdout);
    fmt::print(stderr, "Error: the store has {} problems{}\n", report.unrepaired,
               options.repair ? "; damaged images are removed only with --force"
                              : ": run `system check --repair`");
    return 125;
  }
  return 0;
}

}  // namespace schicht::cli
