// images / image ls / image list: one row per name (untagged images as <none>), podman's
// columns, filters, sorting, Go templates and JSON. Everything shown comes from the database:
// no blob is read and no directory walked.
#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <span>

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/humanize.h"
#include "cli/image_json.h"
#include "cli/report.h"
#include "core/error.h"
#include "core/reference.h"
#include "core/time.h"
#include "images/image_filter.h"
#include "store/image_children.h"

namespace schicht::cli {
namespace {

using nlohmann::ordered_json;

std::string rfc3339_seconds(int64_t ns) {
  return format_rfc3339_nano((ns / 1'000'000'000) * 1'000'000'000);
}

ordered_json labels_of(const store::ImageInfo& image) {
  auto parsed = nlohmann::json::parse(image.labels_json, nullptr, false);
  if (!parsed.is_object() || parsed.empty()) return nullptr;
  return to_ordered(parsed);
}

// podman's ImageSummary as `--format json` prints it: one object per image.
// What podman counts per image beyond its rows: whether it is dangling (untagged, and no image
// was built on it: an untagged parent is intermediate instead) and how many containers use it.
struct Usage {
  bool dangling = false;
  int containers = 0;
};

ordered_json summary_json(const store::ImageInfo& image, const std::vector<std::string>& history,
                          const Usage& usage) {
  ordered_json j;
  j["Id"] = std::string(image.id.hex());
  j["ParentId"] = "";
  j["RepoTags"] = nullptr;  // podman 4.3 leaves it empty in JSON; the names are in "Names"
  j["RepoDigests"] = repo_digests(image);
  j["Size"] = image.size;
  j["SharedSize"] = 0;
  j["VirtualSize"] = image.size;
  j["Labels"] = labels_of(image);
  j["Containers"] = usage.containers;
  if (image.read_only) j["ReadOnly"] = true;
  if (usage.dangling) j["Dangling"] = true;
  if (!image.names.empty()) j["Names"] = image.names;
  j["Digest"] = image.manifest_digest.str();
  if (!history.empty()) j["History"] = history;
  j["Created"] = image.created / 1'000'000'000;
  j["CreatedAt"] = rfc3339_seconds(image.created);
  return j;
}

// Which reporter fields a format uses: filling only those keeps `images` fast on big stores.
// A field counts as used when ".Name" occurs in the format (a superset is harmless); {{.}},
// json and variables can reach any field.
class UsedFields {
 public:
  explicit UsedFields(const std::string& format) {
    bool all = format.find("{{.}}") != std::string::npos ||
               format.find("json") != std::string::npos || format.find('$') != std::string::npos ||
               format.find("{{ . }}") != std::string::npos;
    // Decided once: the question is asked for every image.
    for (std::string_view field : kFields) {
      if (all || format.find("." + std::string(field)) != std::string::npos) used_.push_back(field);
    }
  }
  bool operator()(std::string_view field) const {
    return std::find(used_.begin(), used_.end(), field) != used_.end();
  }

 private:
  static constexpr std::string_view kFields[] = {
      "ParentId",     "RepoTags",    "RepoDigests", "Created",    "CreatedAt",
      "CreatedSince", "CreatedTime", "Size",        "SharedSize", "VirtualSize",
      "Labels",       "Containers",  "ReadOnly",    "Dangling",   "History",
      "Names",        "Digest",      "LastUsed",    "IsReadOnly"};
  std::vector<std::string_view> used_;
};

// The repository and tag of a name as the store keeps it: a normalized reference with a tag or a
// digest (never both), so no second parse is needed. The tag follows the last ':' after the last
// '/'; a digested name has none.
std::pair<std::string_view, std::string_view> split_stored_name(std::string_view name) {
  if (size_t at = name.find('@'); at != std::string_view::npos) return {name.substr(0, at), {}};
  size_t colon = name.rfind(':');
  size_t slash = name.rfind('/');
  if (colon == std::string_view::npos || (slash != std::string_view::npos && colon < slash)) {
    return {name, {}};
  }
  return {name.substr(0, colon), name.substr(colon + 1)};
}

// One row of the listing: an image and the name it is shown under (empty: <none>).
struct Row {
  const store::ImageInfo* image;
  std::string_view name;
};

// podman's rows (sortImages): one per tagged name; an image without one shows its first name
// (a name a pull by digest recorded) with tag <none>, or <none>:<none> when it has no name.
void add_rows(std::vector<Row>& rows, const store::ImageInfo& image) {
  size_t before = rows.size();
  for (const auto& name : image.names) {
    if (name.find('@') == std::string::npos) rows.push_back({&image, name});
  }
  if (rows.size() == before) {
    rows.push_back({&image, image.names.empty() ? std::string_view() : image.names.front()});
  }
}

// What a row shows of a field whose value is a string (nullopt for the other fields): the one
// definition both the JSON rows and the plain text rows use. `repository` and `tag` are the
// row's name; empty for an untagged image.
std::optional<std::string> text_field(std::string_view field, const store::ImageInfo& image,
                                      std::string_view repository, std::string_view tag,
                                      const std::vector<std::string>& names_history, bool no_trunc,
                                      int64_t now) {
  if (field == "Repository") return std::string(repository.empty() ? "<none>" : repository);
  if (field == "Tag") return std::string(tag.empty() ? "<none>" : tag);
  if (field == "ID") return no_trunc ? image.id.str() : image.id.short_hex();
  if (field == "ParentId") return "";
  if (field == "Created" || field == "CreatedSince") return human_age(image.created, now);
  if (field == "CreatedAt" || field == "CreatedTime") return go_time_string(image.created);
  if (field == "Size") return human_size(image.size);
  if (field == "Digest") return image.manifest_digest.str();
  if (field == "LastUsed") return go_time_string(image.last_used);
  // A method in podman: no header.
  if (field == "IsReadOnly") return image.read_only ? "true" : "false";
  if (field == "History") {
    std::string history;
    for (const auto& name : names_history) history += (history.empty() ? "" : ", ") + name;
    return history;
  }
  return std::nullopt;
}

// The per-image part of a template row, computed once for all the image's names (Repository
// and Tag are placeholders the caller fills in).
ordered_json image_fields(const store::ImageInfo& image,
                          const std::vector<std::string>& names_history, const UsedFields& used,
                          const Usage& usage, bool no_trunc, int64_t now) {
  auto text = [&](std::string_view field) {
    return *text_field(field, image, "", "", names_history, no_trunc, now);
  };
  ordered_json r = ordered_json::object();
  r.get_ref<ordered_json::object_t&>().reserve(8);
  r["Repository"] = "";
  r["Tag"] = "";
  r["ID"] = text("ID");
  if (used("ParentId")) r["ParentId"] = text("ParentId");
  if (used("RepoTags")) r["RepoTags"] = image.names;
  if (used("RepoDigests")) r["RepoDigests"] = repo_digests(image);
  for (std::string_view field : {"Created", "CreatedAt", "CreatedSince", "CreatedTime", "Size"}) {
    if (used(field)) r[std::string(field)] = text(field);
  }
  if (used("SharedSize")) r["SharedSize"] = 0;
  if (used("VirtualSize")) r["VirtualSize"] = image.size;
  if (used("Labels")) {
    ordered_json labels = labels_of(image);
    r["Labels"] = labels.is_null() ? ordered_json::object() : labels;
  }
  if (used("Containers")) r["Containers"] = usage.containers;
  if (used("ReadOnly")) r["ReadOnly"] = image.read_only;
  if (used("IsReadOnly")) r["IsReadOnly"] = image.read_only;
  if (used("Dangling")) r["Dangling"] = usage.dangling;
  if (used("History")) r["History"] = text("History");
  if (used("Names")) r["Names"] = image.names;
  for (std::string_view field : {"Digest", "LastUsed"}) {
    if (used(field)) r[std::string(field)] = text(field);
  }
  return r;
}

// The rows of a plain format as text, when every field it shows is a string field: no JSON row
// is built (at thousands of rows, building and freeing them cost more than the rest).
std::optional<std::vector<std::string>> text_rows(
    const std::vector<std::string>& fields, std::span<const Row> rows,
    const std::function<const std::vector<std::string>&(const store::ImageInfo&)>& history_of,
    bool no_trunc, int64_t now) {
  if (rows.empty()) return std::nullopt;  // the JSON path prints the header as well
  for (const auto& field : fields) {
    if (!text_field(field, *rows.front().image, "", "", {}, false, 0)) return std::nullopt;
  }
  std::vector<std::string> cells;
  cells.reserve(rows.size() * fields.size());
  std::vector<std::optional<std::string>> own(fields.size());
  const store::ImageInfo* last = nullptr;
  for (const auto& row : rows) {
    const auto& history = history_of(*row.image);
    // The image's own fields once for consecutive rows of one image, then per name.
    if (row.image != last) {
      for (size_t i = 0; i < fields.size(); ++i) {
        if (fields[i] != "Repository" && fields[i] != "Tag") {
          own[i] = text_field(fields[i], *row.image, "", "", history, no_trunc, now);
        }
      }
      last = row.image;
    }
    auto [repository, tag] = split_stored_name(row.name);
    for (size_t i = 0; i < fields.size(); ++i) {
      cells.push_back(
          own[i] ? *own[i]
                 : *text_field(fields[i], *row.image, repository, tag, history, no_trunc, now));
    }
  }
  return cells;
}

const GoTypes kRowTypes = {{"", "images.imageReporter"},
                           {"Labels", "map[string]string"},
                           {"RepoTags", "[]string"},
                           {"RepoDigests", "[]string"},
                           {"Names", "[]string"}};

// Sorts pointers: moving the images themselves costs more than the sort on large stores.
void sort_images(std::vector<const store::ImageInfo*>& images, const std::string& key) {
  if (key == "repository" || key == "tag") return;  // rows are sorted instead (sort_rows)
  std::stable_sort(images.begin(), images.end(), [&](const auto* pa, const auto* pb) {
    const store::ImageInfo& a = *pa;
    const store::ImageInfo& b = *pb;
    if (key == "created") return a.created > b.created;
    if (key == "id") return a.id < b.id;
    return a.size < b.size;  // size, smallest first as podman sorts it
  });
}

// podman sorts the rows, not the images, by repository or tag: an image's names part.
void sort_rows(std::vector<Row>& rows, const std::string& key) {
  if (key != "repository" && key != "tag") return;
  std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
    auto [repo_a, tag_a] = split_stored_name(a.name);
    auto [repo_b, tag_b] = split_stored_name(b.name);
    auto shown = [](std::string_view v) { return v.empty() ? std::string_view("<none>") : v; };
    if (key == "repository") return shown(repo_a) < shown(repo_b);
    return shown(tag_a) < shown(tag_b);
  });
}

// The additional stores' images after the primary's, each marked read-only; an image the
// primary store (or an earlier additional store) holds is listed once, from there.
void add_additional_images(Context& ctx, const store::ImageListing& listing,
                           std::vector<store::ImageInfo>& images) {
  const auto& stores = ctx.additional_stores();
  if (stores.empty()) return;
  std::set<Digest> seen;
  for (const auto& image : images) seen.insert(image.id);
  for (const auto& extra : stores) {
    for (auto& image : extra->images(listing)) {
      if (!seen.insert(image.id).second) continue;
      image.read_only = true;
      images.push_back(std::move(image));
    }
  }
}

}  // namespace

int cmd_images(Context& ctx, ImagesOptions& parsed, Invocation& invocation) {
  auto& [all, quiet, no_trunc, noheading, digests, names_history, format, sort, filters] = parsed;
  auto& positional = invocation.positional;
  static const std::vector<std::string> kSortKeys = {"repository", "size", "tag", "created", "id"};
  if (std::find(kSortKeys.begin(), kSortKeys.end(), sort) == kSortKeys.end()) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("{:?} is not a valid field for sorting. Choose from: repository, size, tag, "
                     "created, id",
                     sort));
  }
  if (!positional.empty()) filters.push_back("reference=" + positional[0]);
  // As podman does: hiding intermediate images is a filter, so a contradicting one fails.
  if (!all) filters.push_back("intermediate=false");
  store::Store& store = ctx.store();
  int64_t now = store::now_ns();
  images::ImageFilter filter(store, filters, now);
  bool json = !format.empty() && is_json_format(format);
  const char* default_format =
      digests ? "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.Created}}\t{{.Size}}\n"
              : "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.Created}}\t{{.Size}}\n";
  // What the output shows decides what the store reads (-q shows IDs only, whatever --format).
  UsedFields used(quiet ? "{{.ID}}" : format.empty() ? default_format : format);
  store::ImageListing listing = filter.listing();
  listing.digests |= (json && !quiet) || used("RepoDigests");
  listing.details |= (json && !quiet) || used("Labels");
  std::vector<store::ImageInfo> all_images = store.images(listing);
  add_additional_images(ctx, listing, all_images);
  std::vector<const store::ImageInfo*> images;
  images.reserve(all_images.size());
  for (const auto& image : all_images) {
    if (filter.matches(image)) images.push_back(&image);
  }
  sort_images(images, sort);
  std::vector<Row> rows;
  rows.reserve(images.size() * 2);
  for (const auto* image : images) add_rows(rows, *image);
  sort_rows(rows, sort);

  if (quiet) {
    // Each image once, where its first row is.
    std::string out;
    std::vector<bool> seen(all_images.size());
    for (const auto& row : rows) {
      const auto index = static_cast<size_t>(row.image - all_images.data());
      if (seen[index]) continue;
      seen[index] = true;
      out += no_trunc ? row.image->id.str() : row.image->id.short_hex();
      out += '\n';
    }
    fmt::print("{}", out);
    return 0;
  }
  // The names history scans the tag log: only when something shows it.
  std::map<std::string, std::vector<std::string>> history;
  if (json || used("History")) history = store.names_history();
  static const std::vector<std::string> kNoHistory;
  auto history_of = [&](const store::ImageInfo& image) -> const std::vector<std::string>& {
    auto found = history.find(image.id.str());
    return found == history.end() ? kNoHistory : found->second;
  };
  // Containers per image, read only when shown; dangling asks for children of untagged images.
  std::map<std::string, int> containers;
  if (json || used("Containers")) {
    for (const auto& c : store.containers()) ++containers[c.image_id.str()];
  }
  auto usage_of = [&](const store::ImageInfo& image) {
    Usage usage;
    usage.dangling = image.names.empty() && (json || used("Dangling")) &&
                     !store::has_child_image(store, image.id);
    auto found = containers.find(image.id.str());
    if (found != containers.end()) usage.containers = found->second;
    return usage;
  };
  if (json) {
    // One entry per name, as podman prints its table rows: an image with two names is listed
    // twice (-q lists it once).
    std::map<const store::ImageInfo*, std::string> texts;
    std::vector<const std::string*> entries;
    entries.reserve(rows.size());
    for (const auto& row : rows) {
      auto [it, fresh] = texts.try_emplace(row.image);
      if (fresh) {
        it->second =
            json_element(summary_json(*row.image, history_of(*row.image), usage_of(*row.image)));
      }
      entries.push_back(&it->second);
    }
    fmt::print("{}", json_array_report(entries));
    return 0;
  }
  ReportSpec spec{.name = "images",
                  .default_format = default_format,
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
  if (auto fields = plain_fields(spec, options)) {
    if (auto cells = text_rows(*fields, rows, history_of, no_trunc, now)) {
      std::string out;
      try {
        write_cells(out, spec, options, *cells);
      } catch (const Error&) {
        fmt::print("{}", out);
        throw;
      }
      fmt::print("{}", out);
      return 0;
    }
  }
  ordered_json json_rows = ordered_json::array();
  json_rows.get_ref<ordered_json::array_t&>().reserve(rows.size());
  std::optional<ordered_json> base;
  for (size_t i = 0; i < rows.size(); ++i) {
    const store::ImageInfo& image = *rows[i].image;
    if (i == 0 || rows[i - 1].image != &image) {
      base = image_fields(image, history_of(image), used, usage_of(image), no_trunc, now);
    }
    auto [repository, tag] = split_stored_name(rows[i].name);
    // The last row of an image takes its fields over; the others copy them.
    bool last = i + 1 == rows.size() || rows[i + 1].image != &image;
    ordered_json row = last ? std::move(*base) : *base;
    row["Repository"] = repository.empty() ? "<none>" : repository;
    row["Tag"] = tag.empty() ? "<none>" : tag;
    json_rows.push_back(std::move(row));
  }
  print_report(spec, format, noheading, json_rows);
  return 0;
}

}  // namespace schicht::cli
