#include "oci/config.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/error.h"
#include "core/time.h"
#include "oci/go_json.h"
#include "oci/json_internal.h"

namespace schicht {
namespace {

using namespace oci_internal;

std::string read_time(const Json& object, const char* key, const std::string& path) {
  std::optional<std::string> text = read_optional_string(object, key, path);
  if (!text) return "";
  if (!try_parse_rfc3339(*text)) {
    fail_at(member_path(path, key), fmt::format("\"{}\" is not an RFC 3339 time", *text));
  }
  return *text;
}

// Docker's configs take a lone string for a one-element list; OCI's take only arrays.
std::optional<std::vector<std::string>> read_command(const Json& object, const char* key,
                                                     const std::string& path) {
  const Json* value = find_member(object, key);
  if (value == nullptr) return std::nullopt;
  if (value->is_string()) return std::vector<std::string>{value->get<std::string>()};
  return read_string_array(object, key, path);
}

std::optional<Healthcheck> parse_healthcheck(const Json& object, const std::string& path) {
  const Json* value = find_object(object, "Healthcheck", path);
  if (value == nullptr) return std::nullopt;
  std::string here = member_path(path, "Healthcheck");
  return Healthcheck{.test = read_string_array(*value, "Test", here),
                     .interval = read_int64(*value, "Interval", here).value_or(0),
                     .timeout = read_int64(*value, "Timeout", here).value_or(0),
                     .start_period = read_int64(*value, "StartPeriod", here).value_or(0),
                     .retries = read_int64(*value, "Retries", here).value_or(0)};
}

ContainerConfig parse_container_config(const Json& object, const std::string& path) {
  return ContainerConfig{
      .user = read_string(object, "User", path),
      .exposed_ports = read_object_keys(object, "ExposedPorts", path),
      .env = read_string_array(object, "Env", path),
      .entrypoint = read_command(object, "Entrypoint", path),
      .cmd = read_command(object, "Cmd", path),
      .volumes = read_object_keys(object, "Volumes", path),
      .working_dir = read_string(object, "WorkingDir", path),
      .labels = read_string_map(object, "Labels", path),
      .stop_signal = read_string(object, "StopSignal", path),
      .args_escaped = read_bool(object, "ArgsEscaped", path),
      .healthcheck = parse_healthcheck(object, path),
      .on_build = read_string_array(object, "OnBuild", path),
      .shell = read_string_array(object, "Shell", path),
  };
}

std::vector<Digest> parse_rootfs(const Json& document) {
  const Json* rootfs = find_object(document, "rootfs", "");
  if (rootfs == nullptr) fail_at("rootfs", "missing");
  const std::string type = read_string(*rootfs, "type", "rootfs");
  if (type != "layers") {
    fail_at("rootfs.type", fmt::format("\"{}\" is not supported, expected \"layers\"", type));
  }
  std::vector<Digest> diff_ids;
  const std::vector<std::string> texts = read_string_array(*rootfs, "diff_ids", "rootfs");
  for (size_t i = 0; i < texts.size(); ++i) {
    diff_ids.push_back(parse_digest_text(texts[i], element_path("rootfs.diff_ids", i)));
  }
  return diff_ids;
}

std::vector<HistoryEntry> parse_history(const Json& document) {
  std::vector<HistoryEntry> history;
  const Json* entries = find_array(document, "history", "");
  if (entries == nullptr) return history;
  for (size_t i = 0; i < entries->size(); ++i) {
    const Json& entry = (*entries)[i];
    const std::string path = element_path("history", i);
    if (entry.is_null()) {
      history.emplace_back();  // Go decodes a null element as a zero entry
      continue;
    }
    if (!entry.is_object()) {
      fail_at(path, fmt::format("expected a JSON object, got a JSON {}", entry.type_name()));
    }
    history.push_back(HistoryEntry{
        .created = read_time(entry, "created", path),
        .created_by = read_string(entry, "created_by", path),
        .author = read_string(entry, "author", path),
        .comment = read_string(entry, "comment", path),
        .empty_layer = read_bool(entry, "empty_layer", path),
    });
  }
  return history;
}

void write_string_list(GoJsonWriter& out, const char* key, const std::vector<std::string>& list) {
  if (list.empty()) return;
  out.key(key).begin_array();
  for (const std::string& item : list) out.string(item);
  out.end_array();
}

// map[string]struct{} in Go: sorted keys with {} values.
void write_key_set(GoJsonWriter& out, const char* key, const std::vector<std::string>& names) {
  if (names.empty()) return;
  std::vector<std::string> sorted = names;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  out.key(key).begin_object();
  for (const std::string& name : sorted) out.key(name).begin_object().end_object();
  out.end_object();
}

void write_time(GoJsonWriter& out, const char* key, const std::string& text) {
  if (text.empty()) return;
  out.key(key).string(format_rfc3339_nano(parse_rfc3339(text)));
}

void write_container_config(GoJsonWriter& out, const ContainerConfig& config) {
  out.begin_object();
  if (!config.user.empty()) out.key("User").string(config.user);
  write_key_set(out, "ExposedPorts", config.exposed_ports);
  write_string_list(out, "Env", config.env);
  write_string_list(out, "Entrypoint", config.entrypoint.value_or(std::vector<std::string>{}));
  write_string_list(out, "Cmd", config.cmd.value_or(std::vector<std::string>{}));
  write_key_set(out, "Volumes", config.volumes);
  if (!config.working_dir.empty()) out.key("WorkingDir").string(config.working_dir);
  if (!config.labels.empty()) write_string_map(out.key("Labels"), config.labels);
  if (!config.stop_signal.empty()) out.key("StopSignal").string(config.stop_signal);
  if (config.args_escaped) out.key("ArgsEscaped").boolean(true);
  if (config.healthcheck) {
    const Healthcheck& h = *config.healthcheck;
    out.key("Healthcheck").begin_object();
    write_string_list(out, "Test", h.test);
    if (h.interval != 0) out.key("Interval").integer(h.interval);
    if (h.timeout != 0) out.key("Timeout").integer(h.timeout);
    if (h.start_period != 0) out.key("StartPeriod").integer(h.start_period);
    if (h.retries != 0) out.key("Retries").integer(h.retries);
    out.end_object();
  }
  write_string_list(out, "OnBuild", config.on_build);
  write_string_list(out, "Shell", config.shell);
  out.end_object();
}

}  // namespace

ImageConfig parse_config(std::string raw) {
  return with_invalid_input_context("invalid image config", [&] {
    const Json document = parse_json_object(raw);
    ImageConfig config;
    config.created = read_time(document, "created", "");
    config.author = read_string(document, "author", "");
    config.architecture = read_string(document, "architecture", "");
    config.os = read_string(document, "os", "");
    config.variant = read_string(document, "variant", "");
    config.os_version = read_string(document, "os.version", "");
    config.os_features = read_string_array(document, "os.features", "");
    if (const Json* container_config = find_object(document, "config", "")) {
      config.config = parse_container_config(*container_config, "config");
    }
    config.diff_ids = parse_rootfs(document);
    config.history = parse_history(document);
    config.container = read_string(document, "container", "");
    config.docker_version = read_string(document, "docker_version", "");
    config.comment = read_string(document, "comment", "");
    config.id = Digest::sha256_of(raw);
    config.raw = std::move(raw);
    return config;
  });
}

std::string serialize_config(const ImageConfig& config) {
  GoJsonWriter out;
  out.begin_object();
  write_time(out, "created", config.created);
  if (!config.author.empty()) out.key("author").string(config.author);
  out.key("architecture").string(config.architecture);
  if (!config.variant.empty()) out.key("variant").string(config.variant);
  out.key("os").string(config.os);
  if (!config.os_version.empty()) out.key("os.version").string(config.os_version);
  write_string_list(out, "os.features", config.os_features);
  write_container_config(out.key("config"), config.config);
  out.key("rootfs").begin_object();
  out.key("type").string("layers");
  out.key("diff_ids").begin_array();
  for (const Digest& diff_id : config.diff_ids) out.string(diff_id.str());
  out.end_array();
  out.end_object();
  if (!config.history.empty()) {
    out.key("history").begin_array();
    for (const HistoryEntry& entry : config.history) {
      out.begin_object();
      write_time(out, "created", entry.created);
      if (!entry.created_by.empty()) out.key("created_by").string(entry.created_by);
      if (!entry.author.empty()) out.key("author").string(entry.author);
      if (!entry.comment.empty()) out.key("comment").string(entry.comment);
      if (entry.empty_layer) out.key("empty_layer").boolean(true);
      out.end_object();
    }
    out.end_array();
  }
  out.end_object();
  return out.take();
}

}  // namespace schicht
