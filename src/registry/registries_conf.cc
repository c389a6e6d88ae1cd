#include "registry/registries_conf.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <initializer_list>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "core/error.h"

namespace schicht::registry {
namespace {

const fs::path kSystemFile = "/etc/containers/registries.conf";
const fs::path kSystemDropIns = "/etc/containers/registries.conf.d";

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

// Reads one file's TOML tree, checking keys and types as it goes.
class FileReader {
 public:
  explicit FileReader(std::string_view origin) : origin_(origin) {}

  [[noreturn]] void invalid(std::string_view problem) const {
    fail(ErrorKind::kInvalidInput, fmt::format("{}: {}", origin_, problem));
  }

  void check_keys(const toml::table& table, std::initializer_list<std::string_view> known,
                  std::string_view where) const {
    for (const auto& [key, node] : table) {
      if (std::find(known.begin(), known.end(), key.str()) == known.end()) {
        invalid(fmt::format("unknown key \"{}{}\"", where, key.str()));
      }
    }
  }

  std::string string(const toml::node& node, std::string_view name) const {
    if (!node.is_string()) invalid(fmt::format("\"{}\" must be a string", name));
    return *node.value<std::string>();
  }

  bool boolean(const toml::node& node, std::string_view name) const {
    if (!node.is_boolean()) invalid(fmt::format("\"{}\" must be true or false", name));
    return *node.value<bool>();
  }

  std::vector<std::string> strings(const toml::node& node, std::string_view name) const {
    const toml::array* array = node.as_array();
    if (array == nullptr) invalid(fmt::format("\"{}\" must be an array of strings", name));
    std::vector<std::string> out;
    for (const toml::node& item : *array) out.push_back(string(item, name));
    return out;
  }

  const toml::table& table(const toml::node& node, std::string_view name) const {
    const toml::table* table = node.as_table();
    if (table == nullptr) invalid(fmt::format("\"{}\" must be a table", name));
    return *table;
  }

  // A location or prefix without trailing slashes; URL schemes are refused.
  std::string location(std::string_view input) const {
    std::string_view trimmed = input;
    while (trimmed.ends_with('/')) trimmed.remove_suffix(1);
    if (trimmed.starts_with("http://") || trimmed.starts_with("https://")) {
      invalid(fmt::format("invalid location '{}': URI schemes are not supported", input));
    }
    return std::string(trimmed);
  }

 private:
  std::string origin_;
};

bool is_host_label(std::string_view label) {
  if (label.empty() || !std::isalnum(static_cast<unsigned char>(label.front())) ||
      !std::isalnum(static_cast<unsigned char>(label.back()))) {
    return false;
  }
  return std::all_of(label.begin(), label.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
  });
}

// host[:port] as the reference grammar has it (without bracketed IPv6, which podman rejects).
bool is_domain(std::string_view text) {
  size_t colon = text.rfind(':');
  if (colon != std::string_view::npos) {
    std::string_view port = text.substr(colon + 1);
    if (port.empty() || !std::all_of(port.begin(), port.end(), [](char c) {
          return std::isdigit(static_cast<unsigned char>(c));
        })) {
      return false;
    }
    text = text.substr(0, colon);
  }
  if (text.empty()) return false;
  for (size_t start = 0;;) {
    size_t dot = text.find('.', start);
    if (!is_host_label(text.substr(start, dot - start))) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// How much of `reference` a prefix matches, or npos. A plain prefix must end where a name
// component, tag or digest does; "*.example.com" matches any subdomain within the host.
size_t match_length(std::string_view reference, std::string_view prefix) {
  auto at_boundary = [&](size_t end) {
    return end == reference.size() || reference[end] == '/' || reference[end] == ':' ||
           reference[end] == '@';
  };
  if (prefix.starts_with("*.")) {
    std::string_view suffix = prefix.substr(1);  // ".example.com"
    size_t index = reference.find(suffix);
    if (index == std::string_view::npos) return std::string_view::npos;
    if (reference.substr(0, index).find('/') != std::string_view::npos) {
      return std::string_view::npos;
    }
    size_t end = index + suffix.size();
    return at_boundary(end) ? end : std::string_view::npos;
  }
  if (!reference.starts_with(prefix)) return std::string_view::npos;
  return at_boundary(prefix.size()) ? prefix.size() : std::string_view::npos;
}

MirrorUse parse_mirror_use(const FileReader& reader, const std::string& value,
                           std::string_view location) {
  if (value.empty() || value == "all") return MirrorUse::kAll;
  if (value == "digest-only") return MirrorUse::kDigestOnly;
  if (value == "tag-only") return MirrorUse::kTagOnly;
  reader.invalid(
      fmt::format("unsupported pull-from-mirror value \"{}\" for mirror \"{}\"", value, location));
}

RegistryConfig parse_registry(const FileReader& reader, const toml::table& table,
                              std::string_view where) {
  reader.check_keys(table,
                    {"prefix", "location", "insecure", "blocked", "mirror-by-digest-only", "mirror",
                     "pull-from-mirror"},
                    where);
  RegistryConfig out;
  if (auto node = table["location"])
    out.location = reader.location(reader.string(*node.node(), "location"));
  if (auto node = table["prefix"])
    out.prefix = reader.location(reader.string(*node.node(), "prefix"));
  if (auto node = table["insecure"]) out.insecure = reader.boolean(*node.node(), "insecure");
  if (auto node = table["blocked"]) out.blocked = reader.boolean(*node.node(), "blocked");
  if (auto node = table["mirror-by-digest-only"]) {
    out.mirror_by_digest_only = reader.boolean(*node.node(), "mirror-by-digest-only");
  }
  if (out.prefix.empty()) {
    if (out.location.empty())
      reader.invalid("invalid condition: both location and prefix are unset");
    out.prefix = out.location;
  } else if (!out.prefix.starts_with("*.") && out.location.empty()) {
    reader.invalid(
        "invalid condition: location is unset and prefix is not in the format: *.example.com");
  }
  if (out.prefix.starts_with("*.") && out.prefix.find_first_of("/@:") != std::string::npos) {
    reader.invalid(
        fmt::format("Wildcarded prefix should be in the format: *.example.com. Current "
                    "prefix \"{}\" is incorrectly formatted",
                    out.prefix));
  }
  if (table.contains("pull-from-mirror")) {
    reader.invalid(fmt::format("pull-from-mirror must not be set for a non-mirror registry \"{}\"",
                               out.prefix));
  }
  if (auto node = table["mirror"]) {
    const toml::array* mirrors = node.as_array();
    if (mirrors == nullptr || !mirrors->is_array_of_tables()) {
      reader.invalid(fmt::format("\"{}mirror\" must be an array of tables", where));
    }
    for (size_t i = 0; i < mirrors->size(); ++i) {
      std::string mirror_where = fmt::format("{}mirror[{}].", where, i);
      const toml::table& mirror = *mirrors->get(i)->as_table();
      reader.check_keys(mirror, {"location", "insecure", "pull-from-mirror"}, mirror_where);
      MirrorConfig parsed;
      if (auto field = mirror["location"]) {
        parsed.location = reader.location(reader.string(*field.node(), "location"));
      }
      if (parsed.location.empty()) reader.invalid("invalid condition: mirror location is unset");
      if (auto field = mirror["insecure"])
        parsed.insecure = reader.boolean(*field.node(), "insecure");
      if (auto field = mirror["pull-from-mirror"]) {
        std::string use = reader.string(*field.node(), "pull-from-mirror");
        if (out.mirror_by_digest_only && !use.empty()) {
          reader.invalid(fmt::format(
              "cannot set mirror usage mirror-by-digest-only for the registry (\"{}\") and "
              "pull-from-mirror for per-mirror (\"{}\") at the same time",
              out.prefix, parsed.location));
        }
        parsed.use = parse_mirror_use(reader, use, parsed.location);
      }
      out.mirrors.push_back(std::move(parsed));
    }
  }
  return out;
}

// [registries.search], [registries.insecure] and [registries.block] of the v1 format.
std::vector<RegistryConfig> convert_v1(const FileReader& reader, const toml::table& v1,
                                       std::optional<std::vector<std::string>>& search) {
  reader.check_keys(v1, {"search", "insecure", "block"}, "registries.");
  std::vector<RegistryConfig> out;
  auto entry = [&](const std::string& location) -> RegistryConfig& {
    std::string cleaned = reader.location(location);
    for (RegistryConfig& existing : out) {
      if (existing.location == cleaned) return existing;
    }
    out.push_back(RegistryConfig{.prefix = cleaned, .location = cleaned});
    return out.back();
  };
  auto list = [&](std::string_view name) -> std::optional<std::vector<std::string>> {
    auto node = v1[name];
    if (!node) return std::nullopt;
    std::string where = fmt::format("registries.{}.", name);
    const toml::table& table = reader.table(*node.node(), where);
    reader.check_keys(table, {"registries"}, where);
    if (auto list = table["registries"]) return reader.strings(*list.node(), "registries");
    return std::nullopt;
  };
  for (const std::string& location : list("block").value_or(std::vector<std::string>{})) {
    entry(location).blocked = true;
  }
  for (const std::string& location : list("insecure").value_or(std::vector<std::string>{})) {
    entry(location).insecure = true;
  }
  search = list("search");
  return out;
}

// The consistency rules containers/image applies to one file, then one table per prefix (the
// first wins) sorted by prefix.
std::vector<RegistryConfig> post_process(const FileReader& reader,
                                         std::vector<RegistryConfig> registries) {
  for (const RegistryConfig& a : registries) {
    for (const RegistryConfig& b : registries) {
      std::string_view key_a = a.location.empty() ? a.prefix : a.location;
      std::string_view key_b = b.location.empty() ? b.prefix : b.location;
      if (key_a != key_b) continue;
      if (a.insecure != b.insecure) {
        reader.invalid(fmt::format(
            "registry '{}' is defined multiple times with conflicting 'insecure' setting", key_a));
      }
      if (a.blocked != b.blocked) {
        reader.invalid(fmt::format(
            "registry '{}' is defined multiple times with conflicting 'blocked' setting", key_a));
      }
    }
  }
  std::vector<RegistryConfig> unique;
  for (RegistryConfig& registry : registries) {
    bool seen = std::any_of(unique.begin(), unique.end(),
                            [&](const RegistryConfig& r) { return r.prefix == registry.prefix; });
    if (!seen) unique.push_back(std::move(registry));
  }
  std::sort(unique.begin(), unique.end(),
            [](const RegistryConfig& a, const RegistryConfig& b) { return a.prefix < b.prefix; });
  return unique;
}

void parse_aliases(const FileReader& reader, const toml::table& table,
                   std::map<std::string, std::string>& aliases) {
  for (const auto& [key, node] : table) {
    std::string name(key.str());
    std::string value = reader.string(node, fmt::format("aliases.{}", name));
    std::optional<Reference> short_name = Reference::try_parse(name);
    if (!short_name || has_explicit_domain(name) || !short_name->tag.empty() ||
        short_name->digest) {
      reader.invalid(
          fmt::format("invalid short name \"{}\": must be a name without registry, "
                      "tag or digest",
                      name));
    }
    if (value.empty()) {
      aliases[name] = "";  // deletes an alias of an earlier file
      continue;
    }
    std::optional<Reference> target = Reference::try_parse(value);
    if (!target || !has_explicit_domain(value) || !target->tag.empty() || target->digest) {
      reader.invalid(
          fmt::format("invalid alias \"{}\": must contain registry and repository, "
                      "and no tag or digest",
                      value));
    }
    aliases[name] = target->name();
  }
}

std::vector<fs::path> drop_in_files(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".conf" && !entry.is_directory(ec)) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

RegistriesConfSources registries_conf_sources() {
  fs::path home = env("HOME").empty() ? fs::path("/") : fs::path(env("HOME"));
  fs::path user_file = home / ".config/containers/registries.conf";
  fs::path user_dir = home / ".config/containers/registries.conf.d";
  std::string chosen = env("CONTAINERS_REGISTRIES_CONF");
  if (chosen.empty()) chosen = env("REGISTRIES_CONFIG_PATH");
  if (!chosen.empty()) return {chosen, true, {kSystemDropIns, user_dir}};
  std::error_code ec;
  if (fs::exists(user_file, ec)) return {user_file, false, {user_dir}};
  return {kSystemFile, false, {kSystemDropIns, user_dir}};
}

RegistriesConf RegistriesConf::parse(std::string_view text, std::string_view origin, bool drop_in) {
  FileReader reader(origin);
  // toml++ 3.3 reaches __builtin_unreachable on some non-ASCII characters (found by fuzzing);
  // registries.conf holds host names and paths, so non-ASCII text is refused before parsing.
  for (size_t i = 0, line = 1; i < text.size(); ++i) {
    if (text[i] == '\n') ++line;
    if (static_cast<unsigned char>(text[i]) >= 0x80) {
      reader.invalid(fmt::format("non-ASCII text is not supported (line {})", line));
    }
  }
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    reader.invalid(fmt::format("{} (line {}, column {})", e.description(), e.source().begin.line,
                               e.source().begin.column));
  }
  reader.check_keys(root,
                    {"unqualified-search-registries", "short-name-mode", "credential-helpers",
                     "additional-layer-store-auth-helper", "registry", "aliases", "registries"},
                    "");
  RegistriesConf out;
  if (auto node = root["unqualified-search-registries"]) {
    out.search_ = reader.strings(*node.node(), "unqualified-search-registries");
  }
  if (auto node = root["short-name-mode"]) {
    std::string mode = reader.string(*node.node(), "short-name-mode");
    if (mode == "disabled") {
      out.short_name_mode_ = ShortNameMode::kDisabled;
    } else if (mode == "permissive") {
      out.short_name_mode_ = ShortNameMode::kPermissive;
    } else if (mode == "enforcing") {
      out.short_name_mode_ = ShortNameMode::kEnforcing;
    } else if (!mode.empty()) {
      reader.invalid(fmt::format("invalid short-name mode: \"{}\"", mode));
    }
  }
  if (auto node = root["credential-helpers"]) {
    out.credential_helpers_ = reader.strings(*node.node(), "credential-helpers");
  }
  if (auto node = root["additional-layer-store-auth-helper"]) {
    reader.string(*node.node(), "additional-layer-store-auth-helper");  // accepted, unused
  }
  std::vector<RegistryConfig> registries;
  if (auto node = root["registry"]) {
    const toml::array* tables = node.as_array();
    if (tables == nullptr || !tables->is_array_of_tables()) {
      reader.invalid("\"registry\" must be an array of tables ([[registry]])");
    }
    for (size_t i = 0; i < tables->size(); ++i) {
      registries.push_back(
          parse_registry(reader, *tables->get(i)->as_table(), fmt::format("registry[{}].", i)));
    }
  }
  if (auto node = root["aliases"])
    parse_aliases(reader, reader.table(*node.node(), "aliases"), out.aliases_);
  if (auto node = root["registries"]) {
    if (drop_in) reader.invalid("registry must be in v2 format but is in v1");
    // As in containers/image, empty v2 lists do not count as v2 settings.
    if (!registries.empty() || (out.search_ && !out.search_->empty())) {
      reader.invalid("mixing sysregistry v1/v2 is not supported");
    }
    registries = convert_v1(reader, reader.table(*node.node(), "registries"), out.search_);
  }
  if (out.search_) {
    for (std::string& entry : *out.search_) {
      entry = reader.location(entry);
      if (!is_domain(entry)) {
        reader.invalid(fmt::format("invalid unqualified-search-registries entry \"{}\"", entry));
      }
    }
  }
  out.registries_ = post_process(reader, std::move(registries));
  return out;
}

RegistriesConf RegistriesConf::load(const RegistriesConfSources& sources) {
  RegistriesConf out;
  std::error_code ec;
  if (fs::exists(sources.file, ec)) {
    out = parse(read_file(sources.file), sources.file.string());
  } else if (sources.file_required) {
    fail(ErrorKind::kNotFound, fmt::format("loading registries configuration \"{}\": no such file",
                                           sources.file.string()));
  }
  for (const fs::path& dir : sources.drop_in_dirs) {
    for (const fs::path& file : drop_in_files(dir)) {
      out.merge(parse(read_file(file), file.string(), /*drop_in=*/true));
    }
  }
  return out;
}

RegistriesConf RegistriesConf::load() {
  return load(registries_conf_sources());
}

void RegistriesConf::merge(const RegistriesConf& later) {
  for (const RegistryConfig& registry : later.registries_) {
    auto same = std::find_if(registries_.begin(), registries_.end(),
                             [&](const RegistryConfig& r) { return r.prefix == registry.prefix; });
    if (same != registries_.end()) {
      *same = registry;
    } else {
      registries_.push_back(registry);
    }
  }
  std::sort(registries_.begin(), registries_.end(),
            [](const RegistryConfig& a, const RegistryConfig& b) { return a.prefix < b.prefix; });
  if (later.search_) search_ = later.search_;
  if (later.short_name_mode_) short_name_mode_ = later.short_name_mode_;
  if (later.credential_helpers_) credential_helpers_ = later.credential_helpers_;
  for (const auto& [name, value] : later.aliases_) aliases_[name] = value;
}

const std::vector<std::string>& RegistriesConf::unqualified_search_registries() const {
  static const std::vector<std::string> kNone;
  return search_ ? *search_ : kNone;
}

ShortNameMode RegistriesConf::short_name_mode() const {
  return short_name_mode_.value_or(ShortNameMode::kPermissive);
}

std::vector<std::string> RegistriesConf::credential_helpers() const {
  if (!credential_helpers_ || credential_helpers_->empty()) return {"containers-auth.json"};
  return *credential_helpers_;
}

std::optional<Reference> RegistriesConf::alias(std::string_view short_name) const {
  auto it = aliases_.find(std::string(short_name));
  if (it == aliases_.end() || it->second.empty()) return std::nullopt;
  return Reference::parse(it->second);
}

const RegistryConfig* RegistriesConf::find(std::string_view reference) const {
  const RegistryConfig* best = nullptr;
  for (const RegistryConfig& registry : registries_) {
    if (match_length(reference, registry.prefix) == std::string_view::npos) continue;
    if (best == nullptr || registry.prefix.size() > best->prefix.size()) best = &registry;
  }
  return best;
}

Endpoint RegistriesConf::endpoint(const Reference& reference) const {
  const RegistryConfig* registry = find(reference.name());
  return Endpoint{reference, registry != nullptr && registry->insecure,
                  registry != nullptr && registry->blocked, false};
}

std::vector<Endpoint> RegistriesConf::pull_endpoints(const Reference& reference) const {
  std::string text = reference.str();
  const RegistryConfig* registry = find(text);
  if (registry == nullptr) return {endpoint(reference)};
  bool by_digest = reference.digest.has_value();
  std::vector<const MirrorConfig*> mirrors;
  for (const MirrorConfig& mirror : registry->mirrors) {
    bool wanted = registry->mirror_by_digest_only        ? by_digest
                  : mirror.use == MirrorUse::kDigestOnly ? by_digest
                  : mirror.use == MirrorUse::kTagOnly    ? !by_digest
                                                         : true;
    if (wanted) mirrors.push_back(&mirror);
  }
  size_t matched = match_length(text, registry->prefix);
  auto rewrite = [&](const std::string& location) {
    if (location.empty()) return reference;  // a wildcard table that only sets flags
    std::string rewritten = location + text.substr(matched);
    return with_context(fmt::format("rewriting reference \"{}\" for \"{}\"", text, location),
                        [&] { return Reference::parse(rewritten); });
  };
  std::vector<Endpoint> out;
  for (const MirrorConfig* mirror : mirrors) {
    Endpoint endpoint = this->endpoint(rewrite(mirror->location));
    endpoint.insecure = endpoint.insecure || mirror->insecure;
    endpoint.mirror = true;
    out.push_back(std::move(endpoint));
  }
  Endpoint primary = endpoint(rewrite(registry->location));
  primary.insecure = primary.insecure || registry->insecure;
  // The table the user marked blocked blocks its primary location even when rewritten.
  primary.blocked = primary.blocked || registry->blocked;
  out.push_back(std::move(primary));
  return out;
}

}  // namespace schicht::registry
