#include "transport/archive_load.h"

#include <algorithm>
#include <charconv>
#include <optional>

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "core/error.h"
#include "core/media_type.h"
#include "core/platform.h"
#include "core/reference.h"
#include "core/time.h"
#include "oci/config.h"
#include "oci/index.h"
#include "oci/manifest.h"
#include "store/config_facts.h"
#include "store/lists.h"
#include "transport/archive_ingest.h"
#include "transport/source_policy.h"

namespace schicht::transport {
namespace {

using nlohmann::json;

struct Candidate {
  store::NewImage image;
  std::vector<std::string> names;
  // A multi-platform image: the index recorded under `names` beside this, its instance for
  // this machine (the other instances are candidates without names).
  std::optional<Index> list;
  bool sibling = false;  // another platform's instance of such an image: loaded, not reported
  // Which entry of manifest.json or index.json it came from, and what a pull's
  // TRANSPORT:PATH:REF is compared with: RepoTags normalized as Docker does (docker-archive),
  // the ref.name annotation as written (OCI).
  size_t entry = 0;
  std::vector<std::string> keys;
};

store::NewImage describe(const ImageConfig& config) {
  store::NewImage image{.id = config.id,
                        .config_size = config.raw.size(),
                        .manifest_digest = config.id,  // replaced by the caller
                        .manifest_media_type = ""};
  image.created = config.created.empty() ? 0 : rfc3339_to_unix_nanos(config.created);
  store::take_config_facts(image, config);
  return image;
}

void check_diff_id(const ArchiveIngest& ingest, const ArchiveEntry& layer, size_t index,
                   const ImageConfig& config, std::string_view path) {
  if (index >= config.diff_ids.size()) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("{}: image {} has more layers than its config lists diff_ids ({})",
                     ingest.name(), config.id.short_hex(), config.diff_ids.size()));
  }
  if (*layer.diff_id != config.diff_ids[index]) {
    fail(ErrorKind::kIntegrity,
         fmt::format("{}: layer {:?} has diffID {}, but the config expects {}", ingest.name(),
                     std::string(path), layer.diff_id->str(), config.diff_ids[index].str()));
  }
}

std::vector<Candidate> read_docker_archive(ArchiveIngest& ingest) {
  json manifest;
  try {
    manifest = json::parse(ingest.text("manifest.json"));
  } catch (const json::exception& e) {
    // nlohmann's text starts with "[json.exception.KIND.NNN] ": only the reason is for users.
    std::string_view reason = e.what();
    if (size_t end = reason.find("] "); reason.starts_with("[") && end != reason.npos) {
      reason.remove_prefix(end + 2);
    }
    fail(ErrorKind::kInvalidInput,
         fmt::format("{}: manifest.json: invalid JSON: {}", ingest.name(), reason));
  }
  if (!manifest.is_array() || manifest.empty()) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("{}: manifest.json: expected a non-empty array of images", ingest.name()));
  }
  std::vector<Candidate> out;
  for (size_t entry = 0; entry < manifest.size(); ++entry) {
    const json& item = manifest[entry];
    if (!item.is_object() || !item.contains("Config") || !item["Config"].is_string() ||
        !item.contains("Layers") || !item["Layers"].is_array()) {
      fail(ErrorKind::kInvalidInput,
           fmt::format("{}: manifest.json: an entry lacks Config or Layers", ingest.name()));
    }
    std::string config_path = item["Config"].get<std::string>();
    ImageConfig config = with_context(fmt::format("{}: {}", ingest.name(), config_path),
                                      [&] { return parse_config(ingest.text(config_path)); });
    if (item["Layers"].size() != config.diff_ids.size()) {
      fail(ErrorKind::kInvalidInput,
           fmt::format("{}: image {} lists {} layers but its config has {} diff_ids", ingest.name(),
                       config.id.short_hex(), item["Layers"].size(), config.diff_ids.size()));
    }
    Digest config_digest = ingest.put(config.raw, "config " + config.id.str());
    Candidate c{describe(config), {}};
    c.entry = entry;
    std::vector<Descriptor> layer_descs;
    for (size_t i = 0; i < item["Layers"].size(); ++i) {
      if (!item["Layers"][i].is_string()) {
        fail(ErrorKind::kInvalidInput,
             fmt::format("{}: manifest.json: layer {} is not a path", ingest.name(), i));
      }
      std::string path = item["Layers"][i].get<std::string>();
      const ArchiveEntry& layer = ingest.blob(path, true);
      check_diff_id(ingest, layer, i, config, path);
      // containers/image serves docker-archive layers uncompressed, named by diffID, typed as
      // gzip; the generated manifest must match its bytes for the manifest digest to match.
      Digest digest = layer.compression == Compression::kNone
                          ? *layer.digest
                          : ingest.put_decompressed(layer, path);
      c.image.layers.push_back(store::LayerInfo{digest, layer.uncompressed_size,
                                                std::string(media_type::kDockerLayer),
                                                *layer.diff_id, layer.uncompressed_size});
      layer_descs.push_back(Descriptor{.media_type = std::string(media_type::kDockerLayerGzip),
                                       .digest = digest,
                                       .size = static_cast<int64_t>(layer.uncompressed_size)});
    }
    Descriptor config_desc{.media_type = std::string(media_type::kDockerConfig),
                           .digest = config_digest,
                           .size = static_cast<int64_t>(config.raw.size())};
    std::string manifest_bytes = serialize_docker_manifest(config_desc, layer_descs);
    c.image.manifest_digest = ingest.put(manifest_bytes, "generated manifest");
    c.image.manifest_media_type = media_type::kDockerManifest;
    c.image.manifest_size = manifest_bytes.size();
    if (item.contains("RepoTags") && item["RepoTags"].is_array()) {
      for (const auto& tag : item["RepoTags"]) {
        if (!tag.is_string()) continue;
        c.names.push_back(with_context(fmt::format("{}: RepoTags", ingest.name()), [&] {
          return Reference::parse_local(tag.get<std::string>()).with_default_tag().str();
        }));
        if (auto docker = Reference::try_parse(tag.get<std::string>())) {
          c.keys.push_back(docker->with_default_tag().str());
        }
      }
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::string blob_path(const Digest& digest) {
  return fmt::format("blobs/{}/{}", digest.algorithm_name(), digest.hex());
}

// Reads a small JSON blob of the layout and checks it against its descriptor.
std::string layout_json(ArchiveIngest& ingest, const Descriptor& desc) {
  std::string bytes = ingest.text(blob_path(desc.digest));
  if (static_cast<int64_t>(bytes.size()) != desc.size || Digest::sha256_of(bytes) != desc.digest) {
    fail(ErrorKind::kIntegrity, fmt::format("{}: blob {} does not match its descriptor (size or "
                                            "digest)",
                                            ingest.name(), desc.digest.str()));
  }
  return bytes;
}

Candidate read_oci_image(ArchiveIngest& ingest, const Descriptor& desc) {
  Manifest manifest = with_context(
      ingest.name(), [&] { return parse_manifest(layout_json(ingest, desc), desc.media_type); });
  ImageConfig config = with_context(
      ingest.name(), [&] { return parse_config(layout_json(ingest, manifest.config)); });
  ingest.put(config.raw, "config " + config.id.str());
  Candidate c{describe(config), {}};
  for (size_t i = 0; i < manifest.layers.size(); ++i) {
    const Descriptor& ld = manifest.layers[i];
    const ArchiveEntry& layer = ingest.blob(blob_path(ld.digest), true);
    if (*layer.digest != ld.digest || static_cast<int64_t>(layer.size) != ld.size) {
      fail(ErrorKind::kIntegrity,
           fmt::format("{}: layer {} does not match its descriptor: got {} ({} bytes)",
                       ingest.name(), ld.digest.str(), layer.digest->str(), layer.size));
    }
    check_diff_id(ingest, layer, i, config, blob_path(ld.digest));
    c.image.layers.push_back(store::LayerInfo{ld.digest, layer.size, ld.media_type, *layer.diff_id,
                                              layer.uncompressed_size});
  }
  if (manifest.layers.size() != config.diff_ids.size()) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("{}: manifest {} has {} layers but its config has {} diff_ids", ingest.name(),
                     desc.digest.str(), manifest.layers.size(), config.diff_ids.size()));
  }
  c.image.manifest_digest = ingest.put(manifest.raw, "manifest " + desc.digest.str());
  c.image.manifest_media_type = manifest.media_type;
  c.image.manifest_size = manifest.raw.size();
  return c;
}

std::vector<std::string> oci_names(const Descriptor& desc) {
  // Docker 25+ writes the full name beside the bare tag.
  if (auto it = desc.annotations.find("io.containerd.image.name"); it != desc.annotations.end()) {
    return {Reference::parse(it->second).with_default_tag().str()};
  }
  if (auto it = desc.annotations.find("org.opencontainers.image.ref.name");
      it != desc.annotations.end()) {
    return {Reference::parse_local(it->second).with_default_tag().str()};
  }
  return {};
}

std::vector<Candidate> read_oci_archive(ArchiveIngest& ingest) {
  Index index = with_context(fmt::format("{}: index.json", ingest.name()),
                             [&] { return parse_index(ingest.text("index.json")); });
  std::vector<Candidate> out;
  for (size_t entry = 0; entry < index.manifests.size(); ++entry) {
    const Descriptor& desc = index.manifests[entry];
    std::vector<std::string> keys;
    if (auto it = desc.annotations.find("org.opencontainers.image.ref.name");
        it != desc.annotations.end()) {
      keys.push_back(it->second);
    }
    if (media_type::is_manifest(desc.media_type)) {
      Candidate c = read_oci_image(ingest, desc);
      c.names = oci_names(desc);
      c.entry = entry;
      c.keys = keys;
      out.push_back(std::move(c));
    } else if (media_type::is_index(desc.media_type)) {
      // A multi-platform image: every instance loads, the one for this machine under the
      // names (as podman picks it), and the index under the names too, so no platform is lost.
      Index inner = with_context(
          ingest.name(), [&] { return parse_index(layout_json(ingest, desc), desc.media_type); });
      std::vector<std::optional<Platform>> platforms;
      for (const auto& m : inner.manifests) platforms.push_back(m.platform);
      auto chosen = choose_platform(Platform::host(), platforms);
      if (!chosen) {
        fail(ErrorKind::kNotFound, fmt::format("{}: no image in index {} matches {}", ingest.name(),
                                               desc.digest.str(), Platform::host().str()));
      }
      for (size_t i = 0; i < inner.manifests.size(); ++i) {
        if (!media_type::is_manifest(inner.manifests[i].media_type)) {
          fail(ErrorKind::kUnsupported,
               fmt::format("{}: index {} nests another index ({})", ingest.name(),
                           desc.digest.str(), inner.manifests[i].digest.str()));
        }
        Candidate c = read_oci_image(ingest, inner.manifests[i]);
        if (i == *chosen) c.names = oci_names(desc);
        c.sibling = i != *chosen;
        c.entry = entry;
        c.keys = keys;
        out.push_back(std::move(c));
      }
      ingest.put(inner.raw, "index " + desc.digest.str());
      out[out.size() - inner.manifests.size() + *chosen].list = std::move(inner);
    }
  }
  if (out.empty()) {
    fail(ErrorKind::kInvalidInput, fmt::format("{}: index.json lists no image", ingest.name()));
  }
  return out;
}

// What `pull TRANSPORT:PATH[:REF]` takes of an archive, as containers/image chooses: a
// docker-archive must hold one image unless REF names one (by a RepoTags name or "@N"); an OCI
// layout too, unless REF picks the entry whose ref.name it is.
std::vector<Candidate> select_images(std::vector<Candidate> all, const TransportRef& source) {
  size_t entries = all.empty() ? 0 : all.back().entry + 1;
  std::optional<size_t> chosen;
  const std::string& ref = source.ref;
  if (source.transport == Transport::kDockerArchive && ref.empty()) {
    if (entries != 1) {
      fail(ErrorKind::kInvalidInput,
           fmt::format("Unexpected tar manifest.json: expected 1 item, got {}", entries));
    }
    chosen = 0;
  } else if (source.transport == Transport::kDockerArchive && ref.starts_with('@')) {
    size_t n = 0;
    auto [end, ec] = std::from_chars(ref.data() + 1, ref.data() + ref.size(), n);
    if (ec != std::errc{} || end != ref.data() + ref.size() || ref.size() == 1) {
      fail(ErrorKind::kInvalidInput, fmt::format("Invalid source index {}", ref));
    }
    if (n >= entries) {
      fail(ErrorKind::kNotFound, fmt::format("Invalid source index {}, only {} manifest items "
                                             "available",
                                             ref, entries));
    }
    chosen = n;
  } else if (source.transport == Transport::kDockerArchive) {
    std::string want = with_context(fmt::format("parsing {:?}", ref),
                                    [&] { return Reference::parse(ref).with_default_tag().str(); });
    for (const Candidate& c : all) {
      if (std::find(c.keys.begin(), c.keys.end(), want) != c.keys.end()) chosen = c.entry;
    }
    if (!chosen) fail(ErrorKind::kNotFound, fmt::format("Tag {:?} not found", want));
  } else if (ref.empty()) {
    if (entries != 1) {
      fail(ErrorKind::kInvalidInput, "more than one image in oci, choose an image");
    }
  } else {
    for (const Candidate& c : all) {
      if (std::find(c.keys.begin(), c.keys.end(), ref) != c.keys.end()) chosen = c.entry;
    }
    if (!chosen) {
      fail(ErrorKind::kNotFound, fmt::format("no descriptor found for reference {:?}", ref));
    }
  }
  if (chosen) std::erase_if(all, [&](const Candidate& c) { return c.entry != *chosen; });
  return all;
}

// What `load` is admitted as, once it knows the archive's type.
trust::Subject load_subject(const LoadSource& source, std::string_view transport,
                            const std::string& archive_name) {
  if (!source.path.empty()) return policy_subject(local_transport_ref(transport, source.path));
  // A stream has no path, so no path scope: only the transport's "" scope or the default.
  bool oci = transport == "oci-archive";
  return {
      std::string(transport), fmt::format("{}:{}{}", transport, archive_name, oci ? ":" : ""), {}};
}

// `load` learns the transport from the archive itself.
void admit_detected(const LoadSource& source, std::string_view transport,
                    const std::string& archive_name) {
  if (source.named || source.policy == nullptr) return;
  trust::NoSignatures none;
  trust::admit(*source.policy, load_subject(source, transport, archive_name), none);
}

// Before a byte of a `load` is read: when the policy rejects the archive whichever type it
// turns out to be, it is refused at once (podman lists what each type said).
void admit_either(const LoadSource& source, const std::string& archive_name) {
  if (source.named || source.policy == nullptr) return;
  trust::NoSignatures none;
  std::vector<std::string> rejections;
  for (std::string_view transport : {"oci-archive", "docker-archive"}) {
    trust::Decision d =
        trust::evaluate(*source.policy, load_subject(source, transport, archive_name), none);
    if (d.accepted) return;
    rejections.push_back(fmt::format(" * {}: {}", transport, trust::rejection_message(d)));
  }
  fail(ErrorKind::kPolicy,
       fmt::format("payload does not match any of the supported image formats:\n{}\n{}",
                   rejections[0], rejections[1]));
}

}  // namespace

std::vector<LoadedImage> load_archive_unnamed(store::Store& store, Reader& input,
                                              const std::string& archive_name,
                                              const LoadSource& source);

std::vector<LoadedImage> load_archive(store::Store& store, Reader& input,
                                      const std::string& archive_name, const LoadSource& source) {
  // A named source is the user's choice of transport: refused before anything is read.
  if (source.named) admit_source(source.policy, *source.named);
  try {
    return load_archive_unnamed(store, input, archive_name, source);
  } catch (const Error& e) {
    // Every message names the archive, whichever layer of the pass failed.
    if (std::string_view(e.what()).find(archive_name) != std::string_view::npos) throw;
    throw e.with_context(archive_name);
  }
}

std::vector<LoadedImage> load_archive_unnamed(store::Store& store, Reader& input,
                                              const std::string& archive_name,
                                              const LoadSource& source) {
  admit_either(source, archive_name);
  store::ImageWriter writer(store);
  ArchiveIngest ingest(store, writer, archive_name);
  ingest.read(input);
  std::vector<Candidate> candidates;
  bool docker = ingest.has("manifest.json");
  bool oci = ingest.has("oci-layout") && ingest.has("index.json");
  // A pull names the type (a Docker 25 archive is both), a load finds it.
  if (source.named && source.named->transport == Transport::kDockerArchive) {
    if (!docker) {
      fail(ErrorKind::kInvalidInput,
           fmt::format("{}: loading tar component manifest.json: file does not exist",
                       archive_name));
    }
    oci = false;
  } else if (source.named) {
    if (!oci) {
      fail(ErrorKind::kInvalidInput,
           fmt::format("{}: loading index: index.json or oci-layout: file does not exist",
                       archive_name));
    }
    docker = false;
  }
  if (docker) {
    admit_detected(source, "docker-archive", archive_name);
    candidates = read_docker_archive(ingest);
  } else if (oci) {
    admit_detected(source, "oci-archive", archive_name);
    candidates = read_oci_archive(ingest);
  } else {
    fail(ErrorKind::kInvalidInput,
         fmt::format("{}: neither a docker-archive (no manifest.json) nor an oci-archive (no "
                     "oci-layout and index.json)",
                     archive_name));
  }
  if (source.named) candidates = select_images(std::move(candidates), *source.named);
  ingest.sync();
  std::vector<LoadedImage> loaded;
  for (const auto& c : candidates) {
    const std::vector<std::string>& names = source.names && !c.sibling ? *source.names : c.names;
    writer.record(c.image, names, "load");
    if (!c.sibling) loaded.push_back(LoadedImage{c.image.id, names});
    if (!c.list) continue;
    for (const std::string& name : names) {
      store::put_list(store, name, c.list->raw, c.list->media_type, c.list->media_type);
    }
  }
  ingest.finish();
  return loaded;
}

}  // namespace schicht::transport
