#include "copy/search.h"

#include <charconv>

#include <fmt/format.h>

#include "core/error.h"
#include "core/reference.h"

namespace schicht::copy {
namespace {

// podman's default number of results per registry (searchMaxQueries).
constexpr int kDefaultLimit = 25;

// How many of `available` results podman keeps for --limit `wanted`.
int kept(int available, int wanted) {
  if (wanted == 0) return std::min(available, kDefaultLimit);
  return std::min(available, wanted);
}

bool passes(const SearchFilter& filter, const SearchResult& result) {
  auto is_ok = [](const std::string& flag) { return flag == "[OK]"; };
  if (result.stars < filter.stars) return false;
  if (filter.official && *filter.official != is_ok(result.official)) return false;
  if (filter.automated && *filter.automated != is_ok(result.automated)) return false;
  return true;
}

registry::RegistryOptions options_for(const std::string& host, const std::string& repository,
                                      const registry::RegistriesConf& conf,
                                      const SearchOptions& options) {
  registry::RegistryOptions out = options.registry;
  if (auto ref = Reference::try_parse(host + "/" + repository)) {
    registry::Endpoint endpoint = conf.endpoint(*ref);
    if (endpoint.blocked) {
      fail(ErrorKind::kPolicy, fmt::format("registry {} is blocked in registries.conf", host));
    }
    out.insecure = endpoint.insecure;
  }
  return out;
}

std::vector<SearchResult> search_catalog(const std::string& host, const std::string& term,
                                         const registry::RegistriesConf& conf,
                                         const SearchOptions& options) {
  std::vector<std::string> repositories;
  try {
    registry::RegistryClient client(host, options_for(host, "catalog", conf, options));
    repositories = client.list_catalog();
  } catch (const Error& e) {
    fail(e.kind(), fmt::format("couldn't search registry {:?}: {}", host, e.what()));
  }
  std::vector<SearchResult> found;
  for (const auto& repository : repositories) {
    if (repository.find(term) != std::string::npos) {
      found.push_back(SearchResult{.index = host, .name = host + "/" + repository});
    }
  }
  std::vector<SearchResult> out;
  int n = kept(static_cast<int>(found.size()), options.limit);
  for (int i = 0; i < n; ++i) {
    if (passes(options.filter, found[i])) out.push_back(found[i]);
  }
  return out;
}

std::vector<SearchResult> search_tags(const std::string& host, const std::string& term,
                                      const registry::RegistriesConf& conf,
                                      const SearchOptions& options) {
  auto ref = term.empty() ? std::nullopt : Reference::try_parse(host + "/" + term);
  if (!ref)
    fail(ErrorKind::kInvalidInput, fmt::format("reference {:?} must be a docker reference", term));
  std::vector<std::string> tags;
  try {
    registry::RegistryClient client(ref->domain,
                                    options_for(ref->domain, ref->path, conf, options));
    tags = client.list_tags(ref->path);
  } catch (const Error& e) {
    fail(e.kind(), fmt::format("getting repository tags: {}", e.what()));
  }
  std::vector<SearchResult> out;
  int n = kept(static_cast<int>(tags.size()), options.limit);
  // No filter here: podman refuses filters with --list-tags once it has results.
  for (int i = 0; i < n; ++i) out.push_back(SearchResult{.name = ref->name(), .tag = tags[i]});
  return out;
}

}  // namespace

SearchFilter parse_search_filters(const std::vector<std::string>& filters) {
  SearchFilter out;
  for (const auto& f : filters) {
    size_t eq = f.find('=');
    std::string key = f.substr(0, eq);
    bool has_value = eq != std::string::npos;
    std::string value = has_value ? f.substr(eq + 1) : "";
    if (key == "stars") {
      if (!has_value) {
        fail(ErrorKind::kInvalidInput,
             fmt::format("invalid filter [{:?}], should be stars=<value>", key));
      }
      // Go's strconv.Atoi: an optional sign, decimal digits, an int64.
      std::string_view digits = value;
      if (digits.starts_with('+')) digits.remove_prefix(1);
      int64_t n = 0;
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
      bool whole = !digits.empty() && end == digits.data() + digits.size();
      if (ec == std::errc::result_out_of_range && whole) {
        fail(ErrorKind::kInvalidInput,
             fmt::format("incorrect value type for stars filter: strconv.Atoi: parsing {:?}: "
                         "value out of range",
                         value));
      }
      if (ec != std::errc() || !whole || (value.starts_with('+') && digits.starts_with('-'))) {
        fail(ErrorKind::kInvalidInput,
             fmt::format("incorrect value type for stars filter: strconv.Atoi: parsing {:?}: "
                         "invalid syntax",
                         value));
      }
      out.stars = static_cast<int>(std::clamp<int64_t>(n, INT32_MIN, INT32_MAX));
    } else if (key == "is-automated" || key == "is-official") {
      // podman: only "false" means false; anything else, even a typo, means true.
      (key == "is-automated" ? out.automated : out.official) = !(has_value && value == "false");
    } else {
      fail(ErrorKind::kInvalidInput, fmt::format("invalid filter type {:?}", f));
    }
  }
  return out;
}

std::vector<SearchResult> search(const std::string& term, const registry::RegistriesConf& conf,
                                 const SearchOptions& options) {
  std::vector<std::string> hosts;
  std::string rest = term;
  if (size_t slash = term.find('/'); slash != std::string::npos) {
    hosts.push_back(term.substr(0, slash));
    rest = term.substr(slash + 1);
  } else {
    hosts = conf.unqualified_search_registries();
  }
  std::vector<SearchResult> results;
  std::vector<std::string> errors;
  ErrorKind kind = ErrorKind::kNetwork;
  for (const auto& host : hosts) {
    try {
      auto found = options.list_tags ? search_tags(host, rest, conf, options)
                                     : search_catalog(host, rest, conf, options);
      results.insert(results.end(), found.begin(), found.end());
    } catch (const Error& e) {
      if (errors.empty()) kind = e.kind();
      errors.push_back(e.what());
    }
  }
  // podman: one registry that answered is assumed to hold what the user looks for.
  if (!results.empty() || errors.empty()) return results;
  std::string message =
      fmt::format("{} error{} occurred:\n", errors.size(), errors.size() == 1 ? "" : "s");
  for (const auto& e : errors) message += fmt::format("\t* {}\n", e);
  fail(kind, message + "\n");
}

}  // namespace schicht::copy
