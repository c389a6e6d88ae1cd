#include "render/inspect_format.h"

#include <regex>

#include <nlohmann/json.hpp>

namespace schicht::render {

using nlohmann::ordered_json;

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

}  // namespace schicht::render
