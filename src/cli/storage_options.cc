#include "cli/storage_options.h"

#include <unistd.h>

#include <cstdlib>
#include <string_view>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "core/error.h"
#include "core/fs.h"

namespace schicht::cli {
namespace {

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

// Sets the option `key` (without the driver prefix) to `value`.
void set_option(StorageOptions& out, std::string_view key, std::string value) {
  if (key == "mount_program") out.mount_program = std::move(value);
}

void read_storage_conf(StorageOptions& out) {
  fs::path path = storage_conf_path();
  std::error_code ec;
  if (!fs::exists(path, ec)) return;
  toml::table conf;
  try {
    conf = toml::parse_file(path.string());
  } catch (const toml::parse_error& e) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("{}: {}", path.string(), std::string(e.description())));
  }
  auto take = [&](const toml::node_view<toml::node>& table) {
    if (auto program = table["mount_program"].value<std::string>()) {
      set_option(out, "mount_program", *program);
    }
  };
  take(conf["storage"]["options"]);
  take(conf["storage"]["options"]["overlay"]);  // the newer place wins
}

}  // namespace

StorageOptions storage_options(const GlobalOptions& options) {
  StorageOptions out;
  if (options.storage_opts.empty()) {
    read_storage_conf(out);
    return out;
  }
  for (const std::string& opt : options.storage_opts) {
    if (opt.empty()) continue;  // `--storage-opt ""`: no options, storage.conf's neither
    size_t eq = opt.find('=');
    if (eq == std::string::npos) {
      fail(ErrorKind::kInvalidInput,
           fmt::format("invalid storage option {:?}: expected KEY=VALUE", opt));
    }
    std::string_view key = std::string_view(opt).substr(0, eq);
    if (key.starts_with("overlay.")) key.remove_prefix(8);
    set_option(out, key, opt.substr(eq + 1));
  }
  return out;
}

}  // namespace schicht::cli
