// images / image ls / image list: one row per name (untagged images as <none>), podman's
// columns, filters, sorting, Go templates and JSON. Everything shown comes from the database:
// no blob is read and no directory walked.
#include <algorithm>

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/humanize.h"
#include "cli/image_filter.h"
#include "cli/image_json.h"
#include "cli/report.h"
#include "core/error.h"
#include "core/reference.h"
#include "core/time.h"

namespace schicht::cli {
namespace {

using nlohmann::ordered_json;

// Go's time.Time String() for UTC: "2026-01-01 00:00:00 +0000 UTC".
std::string go_time_string(int64_t ns) {
  std::string rfc = format_rfc3339_nano((ns / 1'000'000'000) * 1'000'000'000);
  return rfc.substr(0, 10) + " " + rfc.substr(11, 8) + " +0000 UTC";
}

std::string rfc3339_seconds(int64_t ns) {
  return format_rfc3339_nano((ns / 1'000'000'000) * 1'000'000'000);
}

ordered_json labels_of(const store::ImageInfo& image) {
  auto parsed = nlohmann::json::parse(image.labels_json, nullptr, false);
  if (!parsed.is_object() || parsed.empty()) return nullptr;
  return to_ordered(parsed);
}

// podman's ImageSummary as `--format json` prints it: one object per image.
ordered_json summary_json(const store::ImageInfo& image, const std::vector<std::string>& history) {
  ordered_json j;
  j["Id"] = std::string(image.id.hex());
  j["ParentId"] = "";
  j["RepoTags"] = nullptr;  // podman 4.3 leaves it empty in JSON; the names are in "Names"
  j["RepoDigests"] = repo_digests(image);
  j["Size"] = image.size;
  j["SharedSize"] = 0;
  j["VirtualSize"] = image.size;
  j["Labels"] = labels_of(image);
  j["Containers"] = 0;
  if (image.names.empty()) j["Dangling"] = true;
  if (!image.names.empty()) j["Names"] = image.names;
  j["Digest"] = image.manifest_digest.str();
  if (!history.empty()) j["History"] = history;
  j["Created"] = image.created / 1'000'000'000;
  j["CreatedAt"] = rfc3339_seconds(image.created);
  return j;
}

// One template row: the reporter's fields, named as podman's templates name them.
ordered_json template_row(const store::ImageInfo& image,
                          const std::vector<std::string>& names_history, const std::string& repo,
                          const std::string& tag, bool no_trunc, int64_t now) {
  ordered_json r;
  r["Repository"] = repo;
  r["Tag"] = tag;
  r["ID"] = no_trunc ? image.id.str() : image.id.short_hex();
  r["ParentId"] = "";
  r["RepoTags"] = image.names;
  r["RepoDigests"] = repo_digests(image);
  r["Created"] = human_age(image.created, now);
  r["CreatedAt"] = go_time_string(image.created);
  r["CreatedSince"] = human_age(image.created, now);
  r["CreatedTime"] = go_time_string(image.created);
  r["Size"] = human_size(image.size);
  r["SharedSize"] = 0;
  r["VirtualSize"] = image.size;
  r["Labels"] = labels_of(image).is_null() ? ordered_json::object() : labels_of(image);
  r["Containers"] = 0;
  r["ReadOnly"] = false;
  r["Dangling"] = image.names.empty();
  std::string history;
  for (const auto& name : names_history) history += (history.empty() ? "" : ", ") + name;
  r["History"] = history;
  r["Names"] = image.names;
  r["Digest"] = image.manifest_digest.str();
  r["LastUsed"] = go_time_string(image.last_used);
  return r;
}

const GoTypes kRowTypes = {{"", "images.imageReporter"},
                           {"Labels", "map[string]string"},
                           {"RepoTags", "[]string"},
                           {"RepoDigests", "[]string"},
                           {"Names", "[]string"}};

void sort_images(std::vector<store::ImageInfo>& images, const std::string& key) {
  auto first_name = [](const store::ImageInfo& i) {
    return i.names.empty() ? std::string("<none>") : i.names.front();
  };
  auto tag_of = [&](const store::ImageInfo& i) {
    auto ref = i.names.empty() ? std::nullopt : Reference::try_parse(i.names.front());
    return ref ? ref->tag : std::string("<none>");
  };
  std::stable_sort(images.begin(), images.end(), [&](const auto& a, const auto& b) {
    if (key == "created") return a.created > b.created;
    if (key == "id") return a.id < b.id;
    if (key == "repository") return first_name(a) < first_name(b);
    if (key == "tag") return tag_of(a) < tag_of(b);
    return a.size > b.size;  // size
  });
}

}  // namespace

int cmd_images(Context& ctx, CommandArgs args) {
  FlagSet flags;
  bool all = false, quiet = false, no_trunc = false, noheading = false, digests = false;
  std::string format, sort = "created";
  std::vector<std::string> filters;
  flags.add_bool("all", 'a', &all, "Show all images (default hides intermediate images)");
  flags.add_bool("quiet", 'q', &quiet, "Display only image IDs");
  flags.add_bool("no-trunc", 0, &no_trunc, "Do not truncate output");
  flags.add_bool("noheading", 'n', &noheading, "Do not print column headings");
  flags.add_bool("digests", 0, &digests, "Show digests");
  flags.add_string("format", 0, &format, "Change the output format to JSON or a Go template");
  flags.add_string("sort", 0, &sort, "Sort by created, id, repository, size, tag");
  flags.add_strings("filter", 'f', &filters, "Filter output based on conditions provided");
  flags.add_bool("history", 0, &all, "Display the image name history");
  bool help = false;
  auto positional =
      parse_command_flags(ctx, flags, args, "schicht images [options] [IMAGE]", &help);
  if (help) return 0;
  if (positional.size() > 1) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("accepts at most 1 arg(s), received {}", positional.size()));
  }
  static const std::vector<std::string> kSortKeys = {"repository", "size", "tag", "created", "id"};
  if (std::find(kSortKeys.begin(), kSortKeys.end(), sort) == kSortKeys.end()) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("{:?} is not a valid field for sorting. Choose from: repository, size, tag, "
                     "created, id",
                     sort));
  }
  if (!positional.empty()) filters.push_back("reference=" + positional[0]);
  store::Store& store = ctx.store();
  int64_t now = store::now_ns();
  ImageFilter filter(store, filters, now);
  std::vector<store::ImageInfo> images;
  for (auto& image : store.images()) {
    if (filter.matches(image)) images.push_back(std::move(image));
  }
  sort_images(images, sort);

  if (quiet) {
    std::vector<std::string> seen;
    for (const auto& image : images) {
      std::string id = no_trunc ? image.id.str() : image.id.short_hex();
      if (std::find(seen.begin(), seen.end(), id) != seen.end()) continue;
      seen.push_back(id);
      fmt::print("{}\n", id);
    }
    return 0;
  }
  auto history = store.names_history();
  if (!format.empty() && is_json_format(format)) {
    ordered_json out = ordered_json::array();
    for (const auto& image : images) out.push_back(summary_json(image, history[image.id.str()]));
    fmt::print("{}", json_report(out, 4));
    return 0;
  }
  ordered_json rows = ordered_json::array();
  for (const auto& image : images) {
    const auto& names_history = history[image.id.str()];
    if (image.names.empty()) {
      rows.push_back(template_row(image, names_history, "<none>", "<none>", no_trunc, now));
    }
    for (const auto& name : image.names) {
      auto ref = Reference::try_parse(name);
      if (!ref) continue;
      rows.push_back(template_row(image, names_history, ref->name(),
                                  ref->tag.empty() ? "<none>" : ref->tag, no_trunc, now));
    }
  }
  ReportSpec spec{.name = "images",
                  .default_format = digests
                                        ? "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}"
                                          "\t{{.Created}}\t{{.Size}}\n"
                                        : "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t"
                                          "{{.Created}}\t{{.Size}}\n",
                  .headers = {{"ID", "IMAGE ID"},
                              {"Repository", "REPOSITORY"},
                              {"Tag", "TAG"},
                              {"Digest", "DIGEST"},
                              {"Created", "CREATED"},
                              {"Size", "SIZE"},
                              {"ReadOnly", "R/O"},
                              {"SharedSize", "SHARED SIZE"},
                              {"VirtualSize", "VIRTUAL SIZE"},
                              {"Containers", "CONTAINERS"},
                              {"Dangling", "DANGLING"},
                              {"History", "HISTORY"},
                              {"Names", "NAMES"},
                              {"Labels", "LABELS"},
                              {"LastUsed", "LAST USED"}},
                  .row_types = kRowTypes};
  ReportOptions options;
  if (!format.empty()) options.format = format;
  options.noheading = noheading;
  std::string out;
  try {
    write_report(out, spec, options, rows);
  } catch (const Error&) {
    fmt::print("{}", out);
    throw;
  }
  fmt::print("{}", out);
  return 0;
}

}  // namespace schicht::cli
