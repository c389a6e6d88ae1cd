// The [engine] settings of containers.conf(5) that schicht honours, read as podman reads them:
// $CONTAINERS_CONF alone when it is set; otherwise /usr/share/containers/containers.conf, then
// /etc/containers/containers.conf, then (not as root) ${XDG_CONFIG_HOME:-~/.config}/containers/
// containers.conf, each overriding the keys it sets. Missing files are skipped; drop-in
// directories (containers.conf.d) are not read. Every other key and table is podman's business
// and is ignored here, so a containers.conf written for podman is always accepted.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/fs.h"

namespace schicht::store {

struct EngineConf {
  // events_logger: "none" writes no events. "file" and "journald" both write the store's file
  // log (schicht has no journald logger).
  bool events_enabled = true;
  // events_logfile_max_size: the log is rotated before it would grow past this; 0: never.
  // podman's default is 1,000,000 bytes.
  uint64_t events_logfile_max_size = 1'000'000;
  // [engine.service_destinations.NAME] (podman system connection): `image scp NAME::` reaches
  // uri's host ("ssh://user@host:port/socket") with its identity file.
  struct ServiceDestination {
    std::string uri;
    std::string identity;
  };
  std::map<std::string, ServiceDestination> service_destinations;
  // image_unpack (schicht's own key): whether pull extracts each layer as it streams in; unset,
  // exactly where the overlay driver is used (containers/storage_driver.h).
  std::optional<bool> image_unpack;
};

// The files load_engine_conf reads, in order.
std::vector<fs::path> engine_conf_files();

// kInvalidInput naming the file for a file that is not TOML or a value podman would refuse.
EngineConf load_engine_conf();

// One file's text over `base`: the keys it sets replace base's.
EngineConf parse_engine_conf(std::string_view text, std::string_view origin, EngineConf base);

// events_logfile_max_size as go-units' FromHumanSize reads it: a decimal number with an
// optional k, m, g, t or p (powers of 1000, any case), optionally followed by "i" and "b"
// ("1m", "1.5kB", "300"). kInvalidInput otherwise.
uint64_t parse_human_size(std::string_view text);

}  // namespace schicht::store
