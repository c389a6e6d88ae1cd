// Fuzzes the Go template engine: parse, then render over a fixed document shaped like an
// `images` row, with struct and map types declared so both lookup rules run.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "gotemplate/template.h"

namespace {

const nlohmann::ordered_json& data() {
  static const auto* json = new nlohmann::ordered_json(nlohmann::ordered_json::parse(R"({
    "ID": "3f57d9401f8d", "Repository": "docker.io/library/alpine", "Tag": "3.19",
    "Size": 7377358, "Created": 1700000000, "Dangling": false, "Ratio": 0.5,
    "Names": ["alpine:3.19", "alpine:latest"], "Empty": [], "Nothing": null,
    "Labels": {"maintainer": "me", "version": "1"},
    "Config": {"Cmd": ["/bin/sh", "-c", "echo hi"], "Env": ["PATH=/usr/bin"], "User": ""},
    "Layers": [{"Digest": "sha256:abc", "Size": 1}, {"Digest": "sha256:def", "Size": 2}]
  })"));
  return *json;
}

const schicht::gotemplate::GoTypes& types() {
  static const auto* types = new schicht::gotemplate::GoTypes{
      {"", "images.Row"},
      {"Labels", "map[string]string"},
      {"Config", "*define.ImageConfig"},
      {"Layers", "[]images.Layer"},
      {"Layers[]", "images.Layer"},
      {"Names", "[]string"},
  };
  return *types;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(bytes), size);
  try {
    auto tmpl = schicht::gotemplate::Template::parse(text, "images");
    std::string out;
    tmpl.execute(out, data(), types());
    // A row of a list renders each element on its own, as podman's table output does.
    for (const auto& row : data()["Layers"]) out += tmpl.render(row);
  } catch (const schicht::Error&) {
  }
  return 0;
}
