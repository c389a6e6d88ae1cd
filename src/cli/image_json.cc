#include "cli/image_json.h"

#include <regex>

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "core/error.h"
#include "core/reference.h"
#include "core/time.h"
#include "oci/config.h"
#include "oci/manifest.h"

namespace schicht::cli {

using nlohmann::ordered_json;

ImageConfig load_config(store::Store& store, const Digest& id) {
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

std::string inspect_normalize(std::string_view format, bool image) {
  static const std::regex kId(R"(\{\{\s*\.Id\s*\}\})");
  std::string text = std::regex_replace(std::string(format), kId, "{{.ID}}");
  // Go's strings.NewReplacer: at each position the first pair that matches wins.
  std::vector<std::pair<std::string_view, std::string_view>> pairs = {
      {".Src", ".Source"}, {".Dst", ".Destination"}, {".ImageID", ".Image"}};
  if (image) pairs.emplace_back(".Config.Healthcheck", ".HealthCheck");
  std::string out;
  for (size_t i = 0; i < text.size();) {
    bool replaced = false;
    for (const auto& [from, to] : pairs) {
      if (std::string_view(text).substr(i).starts_with(from)) {
        out += to;
        i += from.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) out += text[i++];
  }
  return out;
}

ordered_json inspect_template_view(const ordered_json& doc) {
  ordered_json out = ordered_json::object();
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    const std::string& key = it.key();
    out[key == "Id" ? "ID" : key == "Healthcheck" ? "HealthCheck" : key] = it.value();
  }
  // A pointer JSON leaves out when nil; the struct always has it.
  if (out.contains("RootFS") && !out.contains("HealthCheck")) out["HealthCheck"] = nullptr;
  return out;
}

const gotemplate::GoTypes& inspect_template_types() {
  // Fields the JSON leaves out when empty but podman's structs always have: the template sees
  // them as Go does ({{.Config.Labels}} of an image without labels is "map[]"; an empty Config
  // is a struct all the same, so {{with .Config}} runs).
  static const gotemplate::GoTypes kTypes = {{"HealthCheck", "*manifest.Schema2HealthConfig"},
                                             {"Config", "v1.ImageConfig"},
                                             {"Labels", "map[string]string"},
                                             {"Annotations", "map[string]string"},
                                             {"RepoTags", "[]string"},
                                             {"RepoDigests", "[]string"},
                                             {"Config.Labels", "map[string]string"},
                                             {"Config.Env", "[]string"},
                                             {"Config.Cmd", "[]string"},
                                             {"Config.Entrypoint", "[]string"},
                                             {"Config.Volumes", "map[string]struct {}"},
                                             {"Config.ExposedPorts", "map[string]struct {}"},
                                             {"Config.User", "string"},
                                             {"Config.WorkingDir", "string"},
                                             {"Config.StopSignal", "string"},
                                             {"Created", "*time.Time"},
                                             {"History", "[]v1.History"},
                                             {"History[]", "v1.History"},
                                             {"History[]{}",
                                              "Created:created CreatedBy:created_by Author:author "
                                              "Comment:comment EmptyLayer:empty_layer"},
                                             {"History[].Created", "*time.Time"},
                                             {"History[].CreatedBy", "string"},
                                             {"History[].Author", "string"},
                                             {"History[].Comment", "string"},
                                             {"History[].EmptyLayer", "bool"}};
  return kTypes;
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

}  // namespace

ordered_json inspect_json(store::Store& store, const Digest& id) {
  auto image = store.image(id);
  if (!image) fail(ErrorKind::kNotFound, fmt::format("{}: image not known", id.str()));
  ImageConfig config = load_config(store, id);
  std::map<std::string, std::string> annotations;
  if (image->manifest_media_type == "application/vnd.oci.image.manifest.v1+json") {
    annotations =
        parse_manifest(store.blobs().read(image->manifest_digest), image->manifest_media_type)
            .annotations;
  }
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
  out["Config"] = container_config_json(config.config);
  out["Version"] = config.docker_version;
  out["Author"] = config.author;
  out["Architecture"] = config.architecture;
  if (!config.variant.empty()) out["Variant"] = config.variant;
  out["Os"] = config.os;
  out["Size"] = image->size;
  out["VirtualSize"] = image->size;
  out["GraphDriver"] = {{"Name", "schicht"}, {"Data", nullptr}};
  out["RootFS"] = {{"Type", "layers"}, {"Layers", ordered_json::array()}};
  for (const auto& d : config.diff_ids) out["RootFS"]["Layers"].push_back(d.str());
  out["Labels"] =
      config.config.labels.empty() ? ordered_json(nullptr) : ordered_json(config.config.labels);
  out["Annotations"] = annotations;
  out["ManifestType"] = image->manifest_media_type;
  out["User"] = config.config.user;
  out["History"] = history_json(config.history);
  out["NamesHistory"] = store.names_history(id);
  // podman shows the health check of a Docker config (build --format docker keeps HEALTHCHECK).
  if (const auto& h = config.config.healthcheck) {
    ordered_json check = ordered_json::object();
    if (!h->test.empty()) check["Test"] = h->test;
    if (h->interval != 0) check["Interval"] = h->interval;
    if (h->timeout != 0) check["Timeout"] = h->timeout;
    if (h->start_period != 0) check["StartPeriod"] = h->start_period;
    if (h->retries != 0) check["Retries"] = h->retries;
    out["Healthcheck"] = std::move(check);
  }
  return out;
}

}  // namespace schicht::cli
