// search: repositories of a registry's catalog, or a repository's tags, as podman 4.3 prints
// them (the work is in copy/search.h).
#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/registry_command_options.h"
#include "cli/registry_flags.h"
#include "cli/render.h"
#include "copy/search.h"
#include "core/error.h"
#include "registry/registries_conf.h"

namespace schicht::cli {
namespace {

using nlohmann::ordered_json;

ordered_json row_json(const copy::SearchResult& r) {
  return ordered_json{{"Index", r.index}, {"Name", r.name},         {"Description", r.description},
                      {"Stars", r.stars}, {"Official", r.official}, {"Automated", r.automated},
                      {"Tag", r.tag}};
}

// podman's --list-tags JSON: one entry per repository with its tags, in the order found.
ordered_json tags_json(const std::vector<copy::SearchResult>& results) {
  ordered_json out = ordered_json::array();
  for (const auto& r : results) {
    auto it = std::find_if(out.begin(), out.end(),
                           [&](const ordered_json& e) { return e["Name"] == r.name; });
    if (it == out.end()) {
      out.push_back(ordered_json{{"Name", r.name}, {"Tags", ordered_json::array()}});
      it = out.end() - 1;
    }
    (*it)["Tags"].push_back(r.tag);
  }
  return out;
}

// The results as podman prints them: JSON, --format, or its table (--compatible's columns).
void print_results(const std::vector<copy::SearchResult>& results, const std::string& format,
                   bool list_tags, bool compatible) {
  bool json = !format.empty() && is_json_format(format);
  if (json) {
    ordered_json rows = ordered_json::array();
    for (const auto& r : results) rows.push_back(row_json(r));
    fmt::print("{}", json_report(list_tags ? tags_json(results) : rows, 4));
    return;
  }
  ReportSpec spec{.name = "search",
                  .default_format = list_tags    ? "table {{.Name}}\t{{.Tag}}\n"
                                    : compatible ? "table {{.Name}}\t{{.Description}}\t{{.Stars}}\t"
                                                   "{{.Official}}\t{{.Automated}}\n"
                                                 : "table {{.Name}}\t{{.Description}}\n",
                  .headers = {{"Index", "INDEX"},
                              {"Name", "NAME"},
                              {"Description", "DESCRIPTION"},
                              {"Stars", "STARS"},
                              {"Official", "OFFICIAL"},
                              {"Automated", "AUTOMATED"},
                              {"Tag", "TAG"}},
                  .row_types = {{"", "entities.ImageSearchReport"}}};
  ordered_json rows = ordered_json::array();
  for (const auto& r : results) rows.push_back(row_json(r));
  // podman lists tags in its own format, whatever --format says (JSON aside).
  print_report(spec, list_tags ? "" : format, false, rows);
}

}  // namespace

int cmd_search(Context& /*ctx*/, SearchOptions& parsed, Invocation& invocation) {
  auto& [registry_flags, format, filters, limit, list_tags, no_trunc, compatible] = parsed;
  const FlagSet& flags = invocation.flags;
  auto& positional = invocation.positional;
  registry_flags.check_authfile();
  copy::SearchOptions options;
  options.filter = copy::parse_search_filters(filters);
  options.limit = static_cast<int>(std::clamp<int64_t>(limit, INT32_MIN, INT32_MAX));
  options.list_tags = list_tags;
  options.no_trunc = no_trunc;
  options.registry = registry_flags.options(flags);
  auto results = copy::search(positional[0], registry::RegistriesConf::load(), options);
  if (results.empty()) return 0;  // podman prints nothing, not even a header
  if (list_tags && !filters.empty()) {
    fail(ErrorKind::kInvalidInput, "filters are not applicable to list tags result");
  }
  print_results(results, format, list_tags, compatible);
  return 0;
}

}  // namespace schicht::cli
