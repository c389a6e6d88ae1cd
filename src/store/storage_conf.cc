#include "store/storage_conf.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <optional>

#include <unistd.h>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "core/error.h"
#include "core/fs.h"

namespace schicht::store {

namespace {

[[noreturn]] void invalid(std::string_view origin, std::string_view problem) {
  fail(ErrorKind::kInvalidInput, fmt::format("{}: {}", origin, problem));
}

void add_directory(std::vector<std::string>& out, std::string_view dir, std::string_view origin) {
  if (dir.empty()) return;
  if (dir.front() != '/') {
    invalid(origin, fmt::format("image store path {:?} is not absolute", dir));
  }
  if (std::find(out.begin(), out.end(), dir) == out.end()) out.emplace_back(dir);
}

// A storage option's key without a driver's prefix, in lower case, and its value; nullopt
// without '='.
struct StorageOpt {
  std::string key;
  std::string value;
};
std::optional<StorageOpt> split_storage_opt(std::string_view option) {
  size_t eq = option.find('=');
  if (eq == std::string_view::npos) return std::nullopt;
  std::string key(option.substr(0, eq));
  std::transform(key.begin(), key.end(), key.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (std::string_view prefix : {"overlay.", "vfs."}) {
    if (key.starts_with(prefix)) key.erase(0, prefix.size());
  }
  return StorageOpt{std::move(key), std::string(option.substr(eq + 1))};
}

toml::table parse_conf(std::string_view text, std::string_view origin) {
  // toml++ 3.3 misbehaves on some non-ASCII text (containers_conf.cc): refused before parsing.
  for (size_t i = 0, line = 1; i < text.size(); ++i) {
    if (text[i] == '\n') ++line;
    if (static_cast<unsigned char>(text[i]) >= 0x80) {
      invalid(origin, fmt::format("non-ASCII text is not supported (line {})", line));
    }
  }
  try {
    return toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    invalid(origin, fmt::format("{} (line {}, column {})", e.description(), e.source().begin.line,
                                e.source().begin.column));
  }
}

// Where podman reads storage.conf from.
fs::path storage_conf_path() {
  if (const char* env = std::getenv("CONTAINERS_STORAGE_CONF"); env && *env) return env;
  if (::geteuid() != 0) {
    const char* config = std::getenv("XDG_CONFIG_HOME");
    const char* home = std::getenv("HOME");
    fs::path user = config && *config ? fs::path(config)
                    : home && *home   ? fs::path(home) / ".config"
                                      : fs::path();
    std::error_code ec;
    if (!user.empty() && fs::exists(user / "containers/storage.conf", ec)) {
      return user / "containers/storage.conf";
    }
  }
  return "/etc/containers/storage.conf";
}

}  // namespace

std::string overlay_mount_program(const std::vector<std::string>& storage_opts) {
  std::string program;
  if (!storage_opts.empty()) {
    for (const std::string& option : storage_opts) {
      if (option.empty()) continue;  // `--storage-opt ""`: no options, storage.conf's neither
      std::optional<StorageOpt> opt = split_storage_opt(option);
      if (!opt) {
        fail(ErrorKind::kInvalidInput,
             fmt::format("invalid storage option {:?}: expected KEY=VALUE", option));
      }
      if (opt->key == "mount_program") program = opt->value;
    }
    return program;
  }
  fs::path path = storage_conf_path();
  std::error_code ec;
  if (!fs::exists(path, ec)) return program;
  toml::table conf = parse_conf(read_file(path), path.string());
  for (const char* table : {"storage.options", "storage.options.overlay"}) {  // the newer wins
    if (auto value = conf.at_path(std::string(table) + ".mount_program").value<std::string>()) {
      program = *value;
    }
  }
  return program;
}

std::vector<std::string> additional_stores_from_options(
    const std::vector<std::string>& storage_opts) {
  std::vector<std::string> out;
  for (const auto& option : storage_opts) {
    std::optional<StorageOpt> opt = split_storage_opt(option);
    if (!opt || (opt->key != "additionalimagestore" && opt->key != "imagestore")) continue;
    std::string_view value = opt->value;
    while (!value.empty()) {
      size_t comma = value.find(',');
      add_directory(out, value.substr(0, comma), "--storage-opt");
      if (comma == std::string_view::npos) break;
      value.remove_prefix(comma + 1);
    }
  }
  return out;
}

std::vector<std::string> additional_stores_from_conf(std::string_view text,
                                                     std::string_view origin) {
  toml::table root = parse_conf(text, origin);
  std::vector<std::string> out;
  const toml::node* stores = root.at_path("storage.options.additionalimagestores").node();
  if (stores == nullptr) return out;
  const toml::array* list = stores->as_array();
  if (list == nullptr) invalid(origin, "\"additionalimagestores\" must be a list of strings");
  for (const auto& entry : *list) {
    if (!entry.is_string()) invalid(origin, "\"additionalimagestores\" must be a list of strings");
    add_directory(out, *entry.value<std::string>(), origin);
  }
  return out;
}

std::vector<std::string> additional_image_stores(const std::vector<std::string>& storage_opts) {
  if (!storage_opts.empty()) return additional_stores_from_options(storage_opts);
  const char* conf = std::getenv("CONTAINERS_STORAGE_CONF");
  if (conf == nullptr || *conf == '\0') return {};
  std::error_code ec;
  if (!fs::exists(conf, ec)) {
    fail(ErrorKind::kNotFound, fmt::format("{}: no such file (CONTAINERS_STORAGE_CONF)", conf));
  }
  return additional_stores_from_conf(read_file(conf), conf);
}

std::vector<std::pair<std::string, std::string>> additional_store_graph_options(
    const std::vector<std::string>& storage_opts, std::string_view driver) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!storage_opts.empty()) {
    for (const auto& option : storage_opts) {
      std::optional<StorageOpt> opt = split_storage_opt(option);
      if (!opt || (opt->key != "additionalimagestore" && opt->key != "imagestore")) continue;
      out.emplace_back(option.substr(0, option.find('=')), opt->value);
    }
    return out;
  }
  for (const auto& dir : additional_image_stores(storage_opts)) {
    out.emplace_back(fmt::format("{}.imagestore", driver), dir);
  }
  return out;
}

}  // namespace schicht::store
