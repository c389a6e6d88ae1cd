// image prune, system prune, system df, system check: what the store holds, what can go, and
// whether it is healthy. Freed space is what was really freed on disk.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "builder/work_dir_check.h"
#include "cli/commands.h"
#include "cli/render.h"
#include "containers/containers.h"
#include "containers/mounts.h"
#include "containers/snapshot_check.h"
#include "core/error.h"
#include "images/disk_usage.h"
#include "images/prune.h"
#include "store/build_cache.h"
#include "store/check.h"
#include "store/event_recorder.h"
#include "transport/recover.h"

namespace schicht::cli {
// The container use cases this file calls (containers/containers.h, containers/mounts.h).
using containers::check_container_roots;
using containers::check_image_mounts;
using containers::images_in_use;
using containers::remove_container;
using containers::remove_unused_snapshots;
using containers::snapshot_bytes;
using containers::unused_snapshot_bytes;
}  // namespace schicht::cli

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

using images::PruneOptions;
using images::PruneResult;

// Removes the build cache (or, for a dry run, only counts it); returns the bytes freed.
uint64_t prune_cache(store::Store& store, bool dry_run) {
  if (dry_run) return store::cache_usage(store).reclaimable;
  uint64_t freed = store::prune_build_cache(store).freed_bytes;
  return freed + remove_unused_snapshots(store);
}

// images::prune_images with what pruning does to snapshots (cli/containers.h), and its events.
PruneResult prune_images(store::Store& store, const PruneOptions& o) {
  return images::prune_images(
      store, o,
      images::PruneEffects{
          .unused_snapshot_bytes =
              [&store](const std::set<std::string>& removed) {
                return unused_snapshot_bytes(store, removed);
              },
          .remove_unused_snapshots = [&store] { return remove_unused_snapshots(store); },
          .removed =
              [&store](const Digest& id, const store::RemovalReport& report) {
                record_removal_events(store, report, id);
              },
      });
}

// The prune flags as images::PruneOptions; `all` is the command's own --all.
PruneOptions prune_options(const PruneFlags& flags, bool all) {
  PruneOptions o;
  o.all = all;
  o.filters = flags.filters;
  o.dry_run = flags.dry_run;
  const std::string& keep_last = flags.keep_last;
  if (!keep_last.empty()) {
    try {
      size_t end = 0;
      o.keep_last = std::stoll(keep_last, &end);
      if (end != keep_last.size() || o.keep_last < 0) throw std::invalid_argument(keep_last);
    } catch (const std::exception&) {
      fail(ErrorKind::kInvalidInput, fmt::format("invalid --keep-last {:?}", keep_last));
    }
    if (!o.all) fail(ErrorKind::kInvalidInput, "--keep-last needs --all");
  }
  if (!flags.max_size.empty()) o.max_size = static_cast<int64_t>(parse_byte_size(flags.max_size));
  return o;
}

// system df --verbose: each image's share, then podman's empty container and volume tables.
void print_image_usage(store::Store& store) {
  int64_t now = store::now_ns();
  ordered_json rows = ordered_json::array();
  for (const images::ImageUsageRow& u : images::image_disk_usage(store)) {
    ordered_json r;
    r["Repository"] = u.repository;
    r["Tag"] = u.tag;
    r["ImageID"] = u.id.short_hex();
    r["Created"] = human_duration(u.created, now);
    r["Size"] = human_size_compact(u.size);
    r["SharedSize"] = human_size_compact(u.shared);
    r["UniqueSize"] = human_size_compact(u.unique);
    r["Containers"] = u.containers;
    rows.push_back(std::move(r));
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
}

// system df's summary, as a table or --format.
void print_usage(const std::vector<images::UsageRow>& usage, const std::string& format) {
  auto percent = [](uint64_t part, uint64_t whole) {
    return whole == 0 ? 0L
                      : std::lround(100.0 * static_cast<double>(part) / static_cast<double>(whole));
  };
  ordered_json rows = ordered_json::array();
  for (const images::UsageRow& u : usage) {
    ordered_json r;
    r["Type"] = u.type;
    r["Total"] = u.total;
    r["Active"] = u.active;
    r["RawSize"] = u.size;
    r["RawReclaimable"] = u.reclaimable;
    r["Size"] = human_size_compact(u.size);
    r["Reclaimable"] =
        fmt::format("{} ({}%)", human_size_compact(u.reclaimable), percent(u.reclaimable, u.size));
    rows.push_back(std::move(r));
  }
  if (!format.empty() && is_json_format(format)) {
    fmt::print("{}", json_report(rows, 4));
    return;
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
  print_report(spec, format, false, rows);
}

}  // namespace

int cmd_image_prune(Context& ctx, ImagePruneOptions& parsed, Invocation& /*invocation*/) {
  PruneOptions o = prune_options(parsed.prune, parsed.all);
  const bool force = parsed.force, build_cache = parsed.build_cache;
  if (!force && !o.dry_run) {
    std::string_view warning =
        o.all ? "WARNING! This command removes all images without at least one container "
                "associated with them."
              : "WARNING! This command removes all dangling images.";
    if (!confirm(warning)) return 0;
  }
  PruneResult result = prune_images(ctx.store(), o);
  if (build_cache) result.freed += prune_cache(ctx.store(), o.dry_run);
  for (const auto& id : result.removed) fmt::print("{}\n", id.hex());
  if (o.dry_run) {
    fmt::print("Would reclaim: {} ({} bytes)\n", human_size_compact(result.freed), result.freed);
  }
  return 0;
}

int cmd_system_prune(Context& ctx, SystemPruneOptions& parsed, Invocation& /*invocation*/) {
  PruneOptions o = prune_options(parsed.prune, parsed.all);
  const bool force = parsed.force;
  if (!force && !o.dry_run) {
    std::string warning = fmt::format(
        "WARNING! This command removes:\n\t- all stopped containers\n\t- all {} images\n",
        o.all ? "unused" : "dangling");
    if (!confirm(warning)) return 0;
  }
  // No container runs under schicht: every container is a stopped one, and goes first, so
  // that the images it held can go too.
  store::Store& store = ctx.store();
  auto containers = store.containers();
  uint64_t container_bytes = 0;
  if (!containers.empty()) {
    fmt::print("{}\n", o.dry_run ? "Would delete Containers" : "Deleted Containers");
    for (const auto& c : containers) {
      fmt::print("{}\n", c.id);
      if (!o.dry_run) container_bytes += remove_container(store, c.id);
    }
  }
  if (o.dry_run && !containers.empty()) {
    // The images the containers held would be unused then: count them too.
    o.ignore_containers = true;
  }
  PruneResult result = prune_images(store, o);
  result.freed += container_bytes;
  // The build cache is unused data too (as Docker's system prune treats it).
  result.freed += prune_cache(store, o.dry_run);
  if (!result.removed.empty()) {
    fmt::print("{}\n", o.dry_run ? "Would delete Images" : "Deleted Images");
    for (const auto& id : result.removed) fmt::print("{}\n", id.hex());
  }
  fmt::print("{}: {}\n", o.dry_run ? "Total reclaimable space" : "Total reclaimed space",
             human_size_compact(result.freed));
  return 0;
}

int cmd_system_df(Context& ctx, SystemDfOptions& parsed, Invocation& /*invocation*/) {
  auto& [verbose, format] = parsed;
  store::Store& store = ctx.store();
  if (verbose) {
    if (!format.empty()) {
      fail(ErrorKind::kInvalidInput, "cannot combine --format and --verbose flags");
    }
    print_image_usage(store);
    return 0;
  }
  print_usage(
      images::disk_usage(store, images::SnapshotUsage{
                                    .bytes = [&store] { return snapshot_bytes(store); },
                                    .images_in_use = [&store] { return images_in_use(store); },
                                    .unused_bytes =
                                        [&store](const std::set<std::string>& unused) {
                                          return unused_snapshot_bytes(store, unused);
                                        },
                                }),
      format);
  return 0;
}

namespace {

void print_recovery(const transport::RecoverReport& r) {
  if (!r.why_moved.empty()) {
    fmt::print("damaged database: {}", r.why_moved);
    if (!r.moved_aside.empty()) fmt::print(": moved aside to {}", r.moved_aside.string());
    fmt::print("\n");
  }
  for (const auto& s : r.skipped) fmt::print("not recovered: {}\n", s);
  for (const auto& line : r.removed_artifacts) fmt::print("removed broken artifact {}\n", line);
  for (const auto& line : r.recovered) fmt::print("recovered image {}\n", line);
  for (const auto& line : r.artifacts) fmt::print("recovered artifact {}\n", line);
  fmt::print("Recovered {} images and {} names\n", r.recovered.size(), r.names);
  if (!r.artifacts.empty()) fmt::print("Recovered {} artifacts\n", r.artifacts.size());
}

}  // namespace

int cmd_system_check(Context& ctx, SystemCheckOptions& parsed, Invocation& /*invocation*/) {
  store::CheckOptions options;
  options.quick = parsed.quick;
  options.repair = parsed.repair;
  options.force = parsed.force;
  const bool recover = parsed.recover;
  if (recover) print_recovery(transport::recover_store(ctx.root()));
  store::Store& store = ctx.store();
  store::CheckReport report = store::check_store(store, options);
  check_image_mounts(store, options, report);
  containers::check_snapshots(store, options, report);
  check_container_roots(store, options, report);
  builder::check_build_dirs(store, options, report);
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
