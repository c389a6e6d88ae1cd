#include "store/containers_conf.h"

#include <unistd.h>

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "core/error.h"
#include "core/fs.h"

namespace schicht::store {
namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

[[noreturn]] void invalid(std::string_view origin, std::string_view problem) {
  fail(ErrorKind::kInvalidInput, fmt::format("{}: {}", origin, problem));
}

}  // namespace

uint64_t parse_human_size(std::string_view text) {
  auto bad = [&]() -> uint64_t {
    fail(ErrorKind::kInvalidInput, fmt::format("invalid size: {:?}", text));
  };
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    return i > start;
  };
  if (!digits()) return bad();
  if (i < text.size() && text[i] == '.') {
    ++i;
    if (!digits()) return bad();
  }
  const std::string number(text.substr(0, i));
  if (i < text.size() && text[i] == ' ') ++i;
  double multiplier = 1;
  if (i < text.size()) {
    switch (std::tolower(static_cast<unsigned char>(text[i]))) {
      case 'k':
        multiplier = 1e3;
        break;
      case 'm':
        multiplier = 1e6;
        break;
      case 'g':
        multiplier = 1e9;
        break;
      case 't':
        multiplier = 1e12;
        break;
      case 'p':
        multiplier = 1e15;
        break;
      default:
        multiplier = 0;
    }
    if (multiplier != 0) {
      ++i;
    } else {
      multiplier = 1;
    }
  }
  if (i < text.size() && (text[i] == 'i' || text[i] == 'I')) ++i;
  if (i < text.size() && (text[i] == 'b' || text[i] == 'B')) ++i;
  if (i != text.size()) return bad();
  const double size = std::strtod(number.c_str(), nullptr) * multiplier;
  if (!std::isfinite(size) || size >= 9.2e18) return bad();
  return static_cast<uint64_t>(size);
}

EngineConf parse_engine_conf(std::string_view text, std::string_view origin, EngineConf base) {
  // toml++ 3.3 reaches __builtin_unreachable on some non-ASCII text (registries_conf.cc says
  // more); the settings read here are ASCII, so such a file is refused before parsing.
  for (size_t i = 0, line = 1; i < text.size(); ++i) {
    if (text[i] == '\n') ++line;
    if (static_cast<unsigned char>(text[i]) >= 0x80) {
      invalid(origin, fmt::format("non-ASCII text is not supported (line {})", line));
    }
  }
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    invalid(origin, fmt::format("{} (line {}, column {})", e.description(), e.source().begin.line,
                                e.source().begin.column));
  }
  const toml::table* engine = root["engine"].as_table();
  if (engine == nullptr) return base;
  if (const toml::node* logger = engine->get("events_logger")) {
    if (!logger->is_string()) invalid(origin, "\"events_logger\" must be a string");
    const std::string value = *logger->value<std::string>();
    if (value != "file" && value != "journald" && value != "none") {
      invalid(origin, fmt::format("invalid events backend: {:?}", value));
    }
    base.events_enabled = value != "none";
  }
  if (const toml::node* size = engine->get("events_logfile_max_size")) {
    if (size->is_integer()) {
      const int64_t bytes = *size->value<int64_t>();
      if (bytes < 0) invalid(origin, "events log file max size cannot be negative");
      base.events_logfile_max_size = static_cast<uint64_t>(bytes);
    } else if (size->is_string()) {
      const std::string value = *size->value<std::string>();
      try {
        if (!value.empty()) base.events_logfile_max_size = parse_human_size(value);
      } catch (const Error& e) {
        invalid(origin, fmt::format("events_logfile_max_size: {}", e.what()));
      }
    } else {
      invalid(origin, "\"events_logfile_max_size\" must be a string or an integer");
    }
  }
  if (const toml::node* unpack = engine->get("image_unpack")) {
    if (!unpack->is_boolean()) invalid(origin, "\"image_unpack\" must be true or false");
    base.image_unpack = *unpack->value<bool>();
  }
  if (const toml::node* destinations = engine->get("service_destinations")) {
    if (!destinations->is_table()) invalid(origin, "\"service_destinations\" must be a table");
    for (const auto& [name, entry] : *destinations->as_table()) {
      const toml::table* fields = entry.as_table();
      if (fields == nullptr) {
        invalid(origin, fmt::format("service_destinations.{}: must be a table", name.str()));
      }
      EngineConf::ServiceDestination destination;
      for (const auto& [key, value] : *fields) {
        std::string* into = key.str() == "uri"        ? &destination.uri
                            : key.str() == "identity" ? &destination.identity
                                                      : nullptr;
        if (into == nullptr) continue;  // podman's other keys (is_machine)
        if (!value.is_string()) {
          invalid(origin, fmt::format("service_destinations.{}.{}: must be a string", name.str(),
                                      key.str()));
        }
        *into = *value.value<std::string>();
      }
      base.service_destinations[std::string(name.str())] = destination;
    }
  }
  return base;
}

std::vector<fs::path> engine_conf_files() {
  if (std::string chosen = env("CONTAINERS_CONF"); !chosen.empty()) return {chosen};
  std::vector<fs::path> files = {"/usr/share/containers/containers.conf",
                                 "/etc/containers/containers.conf"};
  if (::geteuid() != 0) {
    std::string config = env("XDG_CONFIG_HOME");
    if (config.empty() && !env("HOME").empty()) config = env("HOME") + "/.config";
    if (!config.empty()) files.push_back(fs::path(config) / "containers/containers.conf");
  }
  return files;
}

EngineConf load_engine_conf() {
  EngineConf conf;
  for (const fs::path& file : engine_conf_files()) {
    std::error_code ec;
    if (!fs::exists(file, ec)) continue;
    conf = parse_engine_conf(read_file(file), file.string(), conf);
  }
  return conf;
}

}  // namespace schicht::store
