// images / image ls / image list: the rows images/list.h selects and orders, shown in podman's
// columns, Go templates and JSON. Everything shown comes from the database: no blob is read and
// no directory walked.
#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/render.h"
#include "core/error.h"
#include "core/time.h"
#include "images/inspect.h"
#include "images/list.h"

namespace schicht::cli {
namespace {

using images::ListRow;
using images::split_stored_name;
using nlohmann::ordered_json;

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

// A string field shown as the image holds it, so that a table's cell can point at it: the ID
// and the digest.
std::optional<std::string_view> stored_text(std::string_view field, const store::ImageInfo& image,
                                            bool no_trunc) {
  if (field == "ID")
    return no_trunc ? std::string_view(image.id.str()) : image.id.hex().substr(0, 12);
  if (field == "Digest") return image.manifest_digest.str();
  return std::nullopt;
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
  if (auto stored = stored_text(field, image, no_trunc)) return std::string(*stored);
  if (field == "ParentId") return "";
  if (field == "Created" || field == "CreatedSince") return human_age(image.created, now);
  if (field == "CreatedAt" || field == "CreatedTime") return go_time_string(image.created);
  if (field == "Size") return human_size(image.size);
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

// The value a field's text depends on alone, for the fields whose text is the same for every
// image with that value (a store's images often share a creation time or a size).
std::optional<int64_t> shared_value(std::string_view field, const store::ImageInfo& image) {
  if (field == "Created" || field == "CreatedSince" || field == "CreatedAt" ||
      field == "CreatedTime") {
    return image.created;
  }
  if (field == "LastUsed") return image.last_used;
  if (field == "Size") return static_cast<int64_t>(image.size);
  return std::nullopt;
}

// The per-image part of a template row, computed once for all the image's names (Repository
// and Tag are placeholders the caller fills in).
ordered_json image_fields(const store::ImageInfo& image,
                          const std::vector<std::string>& names_history, const UsedFields& used,
                          const images::Usage& usage, bool no_trunc, int64_t now) {
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
  if (used("RepoDigests")) r["RepoDigests"] = images::repo_digests(image);
  for (std::string_view field : {"Created", "CreatedAt", "CreatedSince", "CreatedTime", "Size"}) {
    if (used(field)) r[std::string(field)] = text(field);
  }
  if (used("SharedSize")) r["SharedSize"] = 0;
  if (used("VirtualSize")) r["VirtualSize"] = image.size;
  if (used("Labels")) {
    ordered_json labels = images::labels_of(image);
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

// A plain format's cells, when every field it shows is a string field: views into the rows'
// names and the images' IDs and digests, and into `texts` for what is computed, once per image
// or, for times and sizes, once per distinct value. No JSON row is built and no text per cell
// (at thousands of rows, building and freeing them cost more than the rest).
struct TextRows {
  std::vector<std::string_view> cells;
  std::deque<std::string> texts;
};

std::optional<TextRows> text_rows(
    const std::vector<std::string>& fields, std::span<const ListRow> rows,
    const std::function<const std::vector<std::string>&(const store::ImageInfo&)>& history_of,
    bool no_trunc, int64_t now) {
  if (rows.empty()) return std::nullopt;  // the JSON path prints the header as well
  for (const auto& field : fields) {
    if (!text_field(field, *rows.front().image, "", "", {}, false, 0)) return std::nullopt;
  }
  enum class Source { kRepository, kTag, kImage };
  std::vector<Source> sources;
  for (const auto& field : fields) {
    sources.push_back(field == "Repository" ? Source::kRepository
                      : field == "Tag"      ? Source::kTag
                                            : Source::kImage);
  }
  TextRows table;
  table.cells.reserve(rows.size() * fields.size());
  // Per column, the texts of the shared values seen so far.
  std::vector<std::unordered_map<int64_t, std::string_view>> shared(fields.size());
  std::vector<std::string_view> own(fields.size());
  auto image_text = [&](size_t i, const store::ImageInfo& image) -> std::string_view {
    if (auto stored = stored_text(fields[i], image, no_trunc)) return *stored;
    auto text = [&]() -> std::string_view {
      return table.texts.emplace_back(
          *text_field(fields[i], image, "", "", history_of(image), no_trunc, now));
    };
    auto value = shared_value(fields[i], image);
    if (!value) return text();
    auto [it, fresh] = shared[i].try_emplace(*value);
    if (fresh) it->second = text();
    return it->second;
  };
  constexpr std::string_view kNone = "<none>";
  const store::ImageInfo* last = nullptr;
  for (const auto& row : rows) {
    // The image's own fields once for consecutive rows of one image, then per name.
    if (row.image != last) {
      for (size_t i = 0; i < fields.size(); ++i) {
        if (sources[i] == Source::kImage) own[i] = image_text(i, *row.image);
      }
      last = row.image;
    }
    auto [repository, tag] = split_stored_name(row.name);
    for (size_t i = 0; i < fields.size(); ++i) {
      switch (sources[i]) {
        case Source::kRepository:
          table.cells.push_back(repository.empty() ? kNone : repository);
          break;
        case Source::kTag:
          table.cells.push_back(tag.empty() ? kNone : tag);
          break;
        case Source::kImage:
          table.cells.push_back(own[i]);
          break;
      }
    }
  }
  return table;
}

const GoTypes kRowTypes = {{"", "images.imageReporter"},
                           {"Labels", "map[string]string"},
                           {"RepoTags", "[]string"},
                           {"RepoDigests", "[]string"},
                           {"Names", "[]string"}};

// -q: each image once, where its first row is.
std::string image_ids(const images::ImageList& list, bool no_trunc) {
  std::string out;
  std::vector<bool> seen(list.images.size());
  for (const auto& row : list.rows) {
    const auto index = static_cast<size_t>(row.image - list.images.data());
    if (seen[index]) continue;
    seen[index] = true;
    out += no_trunc ? row.image->id.str() : row.image->id.short_hex();
    out += '\n';
  }
  return out;
}

// What the rows show beyond the images' own rows, each read only when shown: the names
// history (it scans the tag log), containers per image, and dangling (children of untagged
// images).
class ListShown {
 public:
  ListShown(store::Store& store, const UsedFields& used, bool json)
      : used_(used), usage_(store, json || used("Containers"), json || used("Dangling")) {
    if (json || used("History")) history_ = store.names_history();
  }
  const std::vector<std::string>& history_of(const store::ImageInfo& image) const {
    static const std::vector<std::string> kNoHistory;
    auto found = history_.find(image.id.str());
    return found == history_.end() ? kNoHistory : found->second;
  }
  images::Usage usage_of(const store::ImageInfo& image) const { return usage_.of(image); }
  const UsedFields& used() const { return used_; }

 private:
  const UsedFields& used_;
  images::UsageCounter usage_;
  std::map<std::string, std::vector<std::string>> history_;
};

// --format json: one entry per name, as podman prints its table rows (an image with two names
// is listed twice; -q lists it once).
void print_summaries(const images::ImageList& list, const ListShown& shown) {
  std::map<const store::ImageInfo*, std::string> texts;
  std::vector<const std::string*> entries;
  entries.reserve(list.rows.size());
  for (const auto& row : list.rows) {
    auto [it, fresh] = texts.try_emplace(row.image);
    if (fresh) {
      it->second = json_element(images::summary_json(*row.image, shown.history_of(*row.image),
                                                     shown.usage_of(*row.image)));
    }
    entries.push_back(&it->second);
  }
  fmt::print("{}", json_array_report(entries));
}

ReportSpec images_spec(const char* default_format) {
  return ReportSpec{.name = "images",
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
}

// The table or template: as text cells when every field shown is a string, else as JSON rows.
void print_rows(std::span<const ListRow> rows, const ReportSpec& spec, const ReportOptions& options,
                const ListShown& shown, bool no_trunc, int64_t now) {
  auto history_of = [&](const store::ImageInfo& image) -> const std::vector<std::string>& {
    return shown.history_of(image);
  };
  if (auto fields = plain_fields(spec, options)) {
    if (auto table = text_rows(*fields, rows, history_of, no_trunc, now)) {
      std::string out;
      try {
        write_cells(out, spec, options, table->cells);
      } catch (const Error&) {
        fmt::print("{}", out);
        throw;
      }
      fmt::print("{}", out);
      return;
    }
  }
  ordered_json json_rows = ordered_json::array();
  json_rows.get_ref<ordered_json::array_t&>().reserve(rows.size());
  std::optional<ordered_json> base;
  for (size_t i = 0; i < rows.size(); ++i) {
    const store::ImageInfo& image = *rows[i].image;
    if (i == 0 || rows[i - 1].image != &image) {
      base = image_fields(image, shown.history_of(image), shown.used(), shown.usage_of(image),
                          no_trunc, now);
    }
    auto [repository, tag] = split_stored_name(rows[i].name);
    // The last row of an image takes its fields over; the others copy them.
    bool last = i + 1 == rows.size() || rows[i + 1].image != &image;
    ordered_json row = last ? std::move(*base) : *base;
    row["Repository"] = repository.empty() ? "<none>" : repository;
    row["Tag"] = tag.empty() ? "<none>" : tag;
    json_rows.push_back(std::move(row));
  }
  print_report(spec, options.format.value_or(""), options.noheading, json_rows);
}

}  // namespace

int cmd_images(Context& ctx, ImagesOptions& parsed, Invocation& invocation) {
  auto& [all, quiet, no_trunc, noheading, digests, names_history, format, sort, filters] = parsed;
  auto& positional = invocation.positional;
  store::Store& store = ctx.store();
  bool json = !format.empty() && is_json_format(format);
  const char* default_format =
      digests ? "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.Created}}\t{{.Size}}\n"
              : "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.Created}}\t{{.Size}}\n";
  // What the output shows decides what the store reads (-q shows IDs only, whatever --format).
  UsedFields used(quiet ? "{{.ID}}" : format.empty() ? default_format : format);
  images::ListRequest request{.filters = filters,
                              .reference = std::nullopt,
                              .all = all,
                              .sort = sort,
                              .digests = (json && !quiet) || used("RepoDigests"),
                              .details = (json && !quiet) || used("Labels"),
                              .names = !quiet};
  if (!positional.empty()) request.reference = positional[0];
  int64_t now = store::now_ns();
  images::ImageList list = images::list_images(store, ctx.additional_stores(), request, now);
  if (quiet) {
    fmt::print("{}", image_ids(list, no_trunc));
    return 0;
  }
  ListShown shown(store, used, json);
  if (json) {
    print_summaries(list, shown);
    return 0;
  }
  ReportOptions options;
  if (!format.empty()) options.format = format;
  options.noheading = noheading;
  print_rows(list.rows, images_spec(default_format), options, shown, no_trunc, now);
  return 0;
}

}  // namespace schicht::cli
