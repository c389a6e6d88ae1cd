#include "images/inspect.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "core/error.h"
#include "core/reference.h"
#include "core/time.h"
#include "oci/manifest.h"

namespace schicht::images {

using nlohmann::ordered_json;

ImageConfig image_config(store::Store& store, const Digest& id) {
  return with_context(fmt::format("image {}: config", id.short_hex()), [&] {
    std::string raw = store.blobs().read(id);
    if (Digest::sha256_of(raw) != id) {
      fail(ErrorKind::kIntegrity, "the stored blob does not match its digest");
    }
    return parse_config(std::move(raw));
  });
}

std::vector<std::string> repo_tags(const store::ImageInfo& image) {
  std::vector<std::string> out;
  for (const auto& name : image.names) {
    if (name.find('@') == std::string::npos) out.push_back(name);
  }
  return out;
}

std::vector<std::string> repo_digests(const store::ImageInfo& image) {
  std::vector<std::string> out;
  for (const auto& name : image.names) {
    auto ref = Reference::try_parse(name);
    if (!ref) continue;
    for (const auto& d : image.digests) {
      std::string entry = ref->name() + "@" + d.str();
      if (std::find(out.begin(), out.end(), entry) == out.end()) out.push_back(entry);
    }
  }
  return out;
}

namespace {

// The container config as Go's encoding/json writes image-spec's ImageConfig (omitempty).
ordered_json container_config_json(const ContainerConfig& c) {
  ordered_json out = ordered_json::object();
  if (!c.user.empty()) out["User"] = c.user;
  if (!c.exposed_ports.empty()) {
    out["ExposedPorts"] = ordered_json::object();
    for (const auto& p : c.exposed_ports) out["ExposedPorts"][p] = ordered_json::object();
  }
  if (!c.env.empty()) out["Env"] = c.env;
  if (c.entrypoint && !c.entrypoint->empty()) out["Entrypoint"] = *c.entrypoint;
  if (c.cmd && !c.cmd->empty()) out["Cmd"] = *c.cmd;
  if (!c.volumes.empty()) {
    out["Volumes"] = ordered_json::object();
    for (const auto& v : c.volumes) out["Volumes"][v] = ordered_json::object();
  }
  if (!c.working_dir.empty()) out["WorkingDir"] = c.working_dir;
  if (!c.labels.empty()) out["Labels"] = c.labels;
  if (!c.stop_signal.empty()) out["StopSignal"] = c.stop_signal;
  if (c.args_escaped) out["ArgsEscaped"] = true;
  return out;
}

ordered_json history_json(const std::vector<HistoryEntry>& history) {
  ordered_json out = ordered_json::array();
  for (const auto& h : history) {
    ordered_json e = ordered_json::object();
    if (!h.created.empty()) e["created"] = h.created;
    if (!h.created_by.empty()) e["created_by"] = h.created_by;
    if (!h.author.empty()) e["author"] = h.author;
    if (!h.comment.empty()) e["comment"] = h.comment;
    if (h.empty_layer) e["empty_layer"] = true;
    out.push_back(std::move(e));
  }
  return out;
}

// podman shows the health check of a Docker config (build --format docker keeps HEALTHCHECK).
ordered_json healthcheck_json(const Healthcheck& h) {
  ordered_json check = ordered_json::object();
  if (!h.test.empty()) check["Test"] = h.test;
  if (h.interval != 0) check["Interval"] = h.interval;
  if (h.timeout != 0) check["Timeout"] = h.timeout;
  if (h.start_period != 0) check["StartPeriod"] = h.start_period;
  if (h.retries != 0) check["Retries"] = h.retries;
  return check;
}

std::map<std::string, std::string> manifest_annotations(store::Store& store,
                                                        const store::ImageInfo& image) {
  if (image.manifest_media_type != "application/vnd.oci.image.manifest.v1+json") return {};
  return parse_manifest(store.blobs().read(image.manifest_digest), image.manifest_media_type)
      .annotations;
}

// The fields that come from the config and the store's row (Config up to RootFS).
void add_image_fields(ordered_json& out, const store::ImageInfo& image, const ImageConfig& config) {
  out["Config"] = container_config_json(config.config);
  out["Version"] = config.docker_version;
  out["Author"] = config.author;
  out["Architecture"] = config.architecture;
  if (!config.variant.empty()) out["Variant"] = config.variant;
  out["Os"] = config.os;
  out["Size"] = image.size;
  out["VirtualSize"] = image.size;
  out["GraphDriver"] = {{"Name", "schicht"}, {"Data", nullptr}};
  out["RootFS"] = {{"Type", "layers"}, {"Layers", ordered_json::array()}};
  for (const auto& d : config.diff_ids) out["RootFS"]["Layers"].push_back(d.str());
}

}  // namespace

ordered_json inspect_json(store::Store& store, const Digest& id) {
  auto image = store.image(id);
  if (!image) fail(ErrorKind::kNotFound, fmt::format("{}: image not known", id.str()));
  ImageConfig config = image_config(store, id);
  std::map<std::string, std::string> annotations = manifest_annotations(store, *image);
  ordered_json out;
  out["Id"] = std::string(id.hex());
  out["Digest"] = image->manifest_digest.str();
  out["RepoTags"] = repo_tags(*image);
  out["RepoDigests"] = repo_digests(*image);
  out["Parent"] = "";
  out["Comment"] = !config.comment.empty()  ? config.comment
                   : config.history.empty() ? ""
                                            : config.history.front().comment;
  out["Created"] = config.created.empty() ? format_rfc3339_nano(int64_t{0})
                                          : format_rfc3339_nano(parse_rfc3339(config.created));
  add_image_fields(out, *image, config);
  out["Labels"] =
      config.config.labels.empty() ? ordered_json(nullptr) : ordered_json(config.config.labels);
  out["Annotations"] = annotations;
  out["ManifestType"] = image->manifest_media_type;
  out["User"] = config.config.user;
  out["History"] = history_json(config.history);
  out["NamesHistory"] = store.names_history(id);
  if (const auto& h = config.config.healthcheck) out["Healthcheck"] = healthcheck_json(*h);
  return out;
}

std::vector<HistoryRow> history_rows(store::Store& store, const Digest& id) {
  ImageConfig config = image_config(store, id);
  auto layers = store.layers(id);
  std::vector<HistoryRow> rows;
  rows.reserve(config.history.size());
  size_t layer = layers.size();
  for (size_t i = config.history.size(); i-- > 0;) {
    const HistoryEntry& h = config.history[i];
    HistoryRow row;
    if (!h.empty_layer && layer > 0) row.size = layers[--layer].uncompressed_size;
    row.top = i + 1 == config.history.size();
    row.id = row.top ? std::string(id.hex()) : "<missing>";
    row.created = h.created;
    row.created_ns = h.created.empty() ? 0 : rfc3339_to_unix_nanos(h.created);
    row.created_by = h.created_by;
    row.comment = h.comment;
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string history_json(const std::vector<HistoryRow>& history) {
  using nlohmann::ordered_json;
  ordered_json rows = ordered_json::array();
  for (const auto& h : history) {
    ordered_json j;
    j["id"] = h.id;
    j["created"] = h.created;
    j["CreatedBy"] = h.created_by;
    j["size"] = h.size;
    if (!h.comment.empty()) j["comment"] = h.comment;
    j["Created"] = format_rfc3339_nano(h.created_ns);
    rows.push_back(std::move(j));
  }
  std::string text = rows.dump();
  std::string escaped;
  for (char c : text) {
    if (c == '<')
      escaped += "\\u003c";
    else if (c == '>')
      escaped += "\\u003e";
    else if (c == '&')
      escaped += "\\u0026";
    else
      escaped += c;
  }
  return escaped;
}

}  // namespace schicht::images
