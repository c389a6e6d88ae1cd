#include "transport/import.h"

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "archive/compression.h"
#include "archive/layer.h"
#include "core/error.h"
#include "core/media_type.h"
#include "core/platform.h"
#include "core/time.h"
#include "oci/config.h"
#include "oci/manifest.h"
#include "store/config_facts.h"
#include "store/image_writer.h"
#include "transport/source_policy.h"
#include "transport/transport_name.h"

namespace schicht::transport {
namespace {

using nlohmann::json;

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t");
  size_t e = s.find_last_not_of(" \t");
  return b == std::string_view::npos ? "" : std::string(s.substr(b, e - b + 1));
}

// CMD/ENTRYPOINT: a JSON array is the exec form; anything else is the shell form.
std::vector<std::string> command_form(const std::string& value) {
  if (!value.empty() && value.front() == '[') {
    try {
      return json::parse(value).get<std::vector<std::string>>();
    } catch (const json::exception&) {
      // Docker treats a malformed JSON array as shell form text.
    }
  }
  return {"/bin/sh", "-c", value};
}

// KEY=VALUE pairs, or the legacy single `KEY VALUE` form.
std::vector<std::pair<std::string, std::string>> key_values(const std::string& value,
                                                            std::string_view instruction) {
  std::vector<std::pair<std::string, std::string>> out;
  if (value.find('=') == std::string::npos) {
    size_t space = value.find_first_of(" \t");
    if (space == std::string::npos) {
      fail(ErrorKind::kInvalidInput, fmt::format("{} requires at least one argument", instruction));
    }
    out.emplace_back(value.substr(0, space), trim(value.substr(space)));
    return out;
  }
  size_t i = 0;
  while (i < value.size()) {
    while (i < value.size() && value[i] == ' ') ++i;
    if (i >= value.size()) break;
    std::string key, val;
    while (i < value.size() && value[i] != '=') key += value[i++];
    if (i < value.size()) ++i;
    char quote = i < value.size() && (value[i] == '"' || value[i] == '\'') ? value[i++] : '\0';
    while (i < value.size() && (quote ? value[i] != quote : value[i] != ' ')) val += value[i++];
    if (quote) ++i;
    if (key.empty()) fail(ErrorKind::kInvalidInput, fmt::format("{}: empty key", instruction));
    out.emplace_back(key, val);
  }
  return out;
}

void apply_change(ContainerConfig& config, const std::string& change) {
  std::string text = trim(change);
  size_t space = text.find_first_of(" \t=");
  if (space == std::string::npos) {
    // As podman: an instruction alone (a bare CMD, USER, ...) is refused, not set empty.
    fail(ErrorKind::kInvalidInput,
         fmt::format("invalid change {:?} - must be formatted as KEY VALUE", change));
  }
  std::string instruction = text.substr(0, space);
  for (auto& c : instruction) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string value = trim(text.substr(space + 1));
  if (instruction == "CMD") {
    config.cmd = command_form(value);
  } else if (instruction == "ENTRYPOINT") {
    config.entrypoint = command_form(value);
  } else if (instruction == "ENV") {
    for (auto& [k, v] : key_values(value, "ENV")) {
      std::string prefix = k + "=";
      std::string entry = prefix + v;
      auto it = std::find_if(config.env.begin(), config.env.end(),
                             [&](const std::string& e) { return e.starts_with(prefix); });
      if (it != config.env.end()) {
        *it = entry;
      } else {
        config.env.push_back(entry);
      }
    }
  } else if (instruction == "LABEL") {
    for (auto& [k, v] : key_values(value, "LABEL")) config.labels[k] = v;
  } else if (instruction == "WORKDIR") {
    config.working_dir = value;
  } else if (instruction == "USER") {
    config.user = value;
  } else if (instruction == "EXPOSE") {
    for (size_t b = 0; b < value.size();) {
      size_t e = value.find(' ', b);
      std::string port = value.substr(b, e == std::string::npos ? std::string::npos : e - b);
      if (!port.empty()) {
        if (port.find('/') == std::string::npos) port += "/tcp";
        if (std::find(config.exposed_ports.begin(), config.exposed_ports.end(), port) ==
            config.exposed_ports.end()) {
          config.exposed_ports.push_back(port);
        }
      }
      if (e == std::string::npos) break;
      b = e + 1;
    }
    std::sort(config.exposed_ports.begin(), config.exposed_ports.end());
  } else if (instruction == "VOLUME") {
    config.volumes.push_back(value);
    std::sort(config.volumes.begin(), config.volumes.end());
  } else if (instruction == "STOPSIGNAL") {
    config.stop_signal = value;
  } else if (instruction == "ONBUILD") {
    // Recorded by builds only; podman import accepts and drops it too.
  } else {
    fail(ErrorKind::kInvalidInput,
         fmt::format("invalid change {:?} - invalid instruction {}", change, instruction));
  }
}

}  // namespace

Digest import_tarball(store::Store& store, Reader& input, const std::string& source_name,
                      const ImportOptions& options, const trust::Policy* policy) {
  admit_source(policy, *parse_transport_name("tarball:" + source_name));
  ImageConfig config;
  for (const auto& change : options.changes) apply_change(config.config, change);

  // The writer removes whatever it stored if anything below fails.
  store::ImageWriter writer(store);
  try {
    auto plain = decompress(input);
    LayerDigests layer = writer.put_layer(*plain, std::nullopt, std::nullopt, source_name);
    Platform host = Platform::host();
    int64_t now = options.created_ns != 0 ? options.created_ns : store::now_ns();
    config.created = format_rfc3339_nano(now);
    config.architecture = options.architecture.empty() ? host.architecture : options.architecture;
    config.os = options.os;
    config.variant = options.variant;
    config.diff_ids = {layer.diff_id};
    config.history.push_back(HistoryEntry{
        .created = config.created,
        .created_by = fmt::format("/bin/sh -c #(nop) ADD file:{} in /", layer.diff_id.hex()),
        // podman's comment when no --message is given.
        .comment = options.message.empty() ? "imported from tarball" : options.message});
    std::string config_bytes = serialize_config(config);
    Digest id = Digest::sha256_of(config_bytes);
    writer.put(config_bytes, id, "config");

    Descriptor config_desc{.media_type = std::string(media_type::kOciConfig),
                           .digest = id,
                           .size = static_cast<int64_t>(config_bytes.size())};
    Descriptor layer_desc{.media_type = std::string(media_type::kOciLayer),
                          .digest = layer.digest,
                          .size = static_cast<int64_t>(layer.size)};
    // buildah writes import manifests without a mediaType field; so do we, for equal digests.
    std::string manifest = serialize_oci_manifest(config_desc, {layer_desc}, {}, std::nullopt, "",
                                                  MediaTypeField::kAbsent);
    Digest manifest_digest = Digest::sha256_of(manifest);
    writer.put(manifest, manifest_digest, "manifest");

    store::NewImage image{.id = id,
                          .config_size = config_bytes.size(),
                          .manifest_digest = manifest_digest,
                          .manifest_media_type = std::string(media_type::kOciManifest),
                          .manifest_size = manifest.size()};
    image.created = now;
    store::take_config_facts(image, config);
    image.layers.push_back(store::LayerInfo{layer.digest, layer.size,
                                            std::string(media_type::kOciLayer), layer.diff_id,
                                            layer.uncompressed_size});
    writer.commit(image, options.names, "import");
    return id;
  } catch (const Error& e) {
    if (std::string_view(e.what()).find(source_name) != std::string_view::npos) throw;
    throw e.with_context(source_name);
  }
}

}  // namespace schicht::transport
