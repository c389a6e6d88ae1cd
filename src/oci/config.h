// Image configs (OCI and Docker): what podman's inspect and history show, parsed with
// validation, and an OCI serializer whose bytes equal podman 4.3's `import`.
//
// Validation (kInvalidInput): malformed JSON or not an object, rootfs missing or of a type other
// than "layers", invalid diff IDs, members of the wrong JSON type, and `created` times that are
// not RFC 3339 (Go refuses to decode those too). As in Go, null counts as absent, unknown members
// are ignored, and a missing architecture or os is left empty for callers to judge. The number of
// non-empty history entries is not checked against the diff IDs: c/storage does not enforce it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/digest.h"

namespace schicht {

// Docker's HEALTHCHECK settings (durations in nanoseconds, as Go's time.Duration).
struct Healthcheck {
  std::vector<std::string> test;
  int64_t interval = 0;
  int64_t timeout = 0;
  int64_t start_period = 0;
  int64_t retries = 0;

  bool operator==(const Healthcheck&) const = default;
};

// The "config" member: how a container of the image runs.
struct ContainerConfig {
  std::string user;
  std::vector<std::string> exposed_ports;  // "80/tcp", sorted
  std::vector<std::string> env;            // "KEY=value"
  // null/absent and [] differ for podman: [] clears what a base image set. Docker's own configs
  // also accept a lone string here, read as one element.
  std::optional<std::vector<std::string>> entrypoint;
  std::optional<std::vector<std::string>> cmd;
  std::vector<std::string> volumes;  // sorted
  std::string working_dir;
  std::map<std::string, std::string> labels;
  std::string stop_signal;
  bool args_escaped = false;  // deprecated, Windows only; kept so serialization round-trips
  // Docker-format members (buildah --format docker writes them; the OCI spec has none). Written
  // after the OCI members only when set, so OCI configs keep their bytes.
  std::optional<Healthcheck> healthcheck;
  std::vector<std::string> on_build;
  std::vector<std::string> shell;

  bool operator==(const ContainerConfig&) const = default;
};

struct HistoryEntry {
  std::string created;  // RFC 3339 as written; may be empty
  std::string created_by;
  std::string author;
  std::string comment;
  bool empty_layer = false;

  bool operator==(const HistoryEntry&) const = default;
};

struct ImageConfig {
  std::string raw;
  // sha256 of raw: the image ID. Set by parse_config; the default matches the empty raw.
  Digest id = Digest::sha256_of("");
  std::string created;  // RFC 3339 as written; may be empty
  std::string author;
  std::string architecture;
  std::string os;
  std::string variant;
  std::string os_version;
  std::vector<std::string> os_features;
  ContainerConfig config;
  std::vector<Digest> diff_ids;  // rootfs.diff_ids, base layer first
  std::vector<HistoryEntry> history;
  // Docker configs only; not written by serialize_config (the OCI config has no such fields).
  std::string container;
  std::string docker_version;
  std::string comment;
};

ImageConfig parse_config(std::string raw);

// The OCI config as podman 4.3 writes it, in its image-spec struct order: created, author,
// architecture, variant, os, os.version, os.features, config (always present, possibly {}),
// rootfs, history. Empty members are left out as Go's omitempty does; times are re-written in
// Go's form (trailing fractional zeros trimmed, "Z" for UTC). `raw` and `id` are ignored.
// Throws kInvalidInput for a created time that is not RFC 3339.
std::string serialize_config(const ImageConfig& config);

}  // namespace schicht
