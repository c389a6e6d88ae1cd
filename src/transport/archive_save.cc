#include "transport/archive_save.h"

#include <fcntl.h>
#include <unistd.h>

#include <set>

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "archive/compression.h"
#include "content/stored_layer.h"
#include "core/error.h"
#include "core/media_type.h"
#include "core/reference.h"
#include "oci/config.h"
#include "oci/index.h"
#include "oci/manifest.h"
#include "transport/layout_sink.h"

namespace schicht::transport {

void DirSink::file(std::string_view path, uint64_t size, Reader& data) {
  fs::path target = dir_ / path;
  make_dirs(target.parent_path());
  int fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail_errno("create", target.string());
  UniqueFd guard(fd);
  FdWriter writer(fd, target.string());
  LimitedReader limited(data, size, target.string());
  if (copy_stream(limited, writer) != size) {
    fail(ErrorKind::kIntegrity, fmt::format("{}: source ended early", target.string()));
  }
}

namespace {

using nlohmann::json;

SaveFormat format_from(std::string_view name) {
  if (name == "docker-archive") return SaveFormat::kDockerArchive;
  if (name == "oci-archive") return SaveFormat::kOciArchive;
  if (name == "oci-dir") return SaveFormat::kOciDir;
  if (name == "docker-dir") return SaveFormat::kDockerDir;
  fail(ErrorKind::kInvalidInput,
       fmt::format("unsupported format {:?}: use one of docker-archive, oci-archive, oci-dir, "
                   "docker-dir",
                   std::string(name)));
}

// Streams a stored blob into the sink under `path`.
void copy_blob(store::Store& store, const Digest& digest, LayoutSink& sink, std::string_view path) {
  auto fd = store.blobs().open(digest);
  auto size = store.blobs().size_of(digest);
  FdReader reader(fd.get(), store.blobs().path_of(digest).string());
  sink.file(path, *size, reader);
}

// The layer as an uncompressed tar, whatever its stored compression.
void copy_layer_uncompressed(store::Store& store, const store::LayerInfo& layer, LayoutSink& sink,
                             std::string_view path) {
  if (layer.digest == layer.diff_id) {
    copy_blob(store, layer.digest, sink, path);
    return;
  }
  StoredLayerReader plain(store.blobs(), layer.digest,
                          store.blobs().path_of(layer.digest).string());
  sink.file(path, layer.uncompressed_size, plain);
}

void write_docker_archive(store::Store& store, const std::vector<SaveItem>& items,
                          LayoutSink& sink) {
  json manifest = json::array();
  json repositories = json::object();
  std::set<Digest> written;
  for (const auto& item : items) {
    auto layers = store.layers(item.id);
    json entry = {{"Config", std::string(item.id.hex()) + ".json"},
                  {"RepoTags", item.names},
                  {"Layers", json::array()}};
    for (const auto& layer : layers) {
      std::string path = std::string(layer.diff_id.hex()) + ".tar";
      if (written.insert(layer.diff_id).second) copy_layer_uncompressed(store, layer, sink, path);
      entry["Layers"].push_back(path);
    }
    if (written.insert(item.id).second)
      copy_blob(store, item.id, sink, entry["Config"].get<std::string>());
    for (const auto& name : item.names) {
      Reference ref = Reference::parse(name);
      if (!layers.empty() && !ref.tag.empty()) {
        repositories[ref.name()][ref.tag] = std::string(layers.back().diff_id.hex());
      }
    }
    manifest.push_back(std::move(entry));
  }
  sink.file("manifest.json", manifest.dump());
  sink.file("repositories", repositories.dump());
}

std::string_view oci_layer_type(store::Store& store, const store::LayerInfo& layer) {
  if (layer.digest == layer.diff_id) return media_type::kOciLayer;
  Compression c = stored_compression(store.blobs(), layer.digest);
  return c == Compression::kZstd ? media_type::kOciLayerZstd : media_type::kOciLayerGzip;
}

// The manifest to put in an OCI layout: the stored bytes when they are OCI, else a conversion.
std::string oci_manifest_for(store::Store& store, const store::ImageInfo& image) {
  std::string raw = store.blobs().read(image.manifest_digest);
  if (image.manifest_media_type == media_type::kOciManifest) return raw;
  Manifest stored = parse_manifest(raw, image.manifest_media_type);
  Descriptor config = stored.config;
  config.media_type = media_type::kOciConfig;
  std::vector<Descriptor> layers;
  auto infos = store.layers(image.id);
  for (size_t i = 0; i < infos.size(); ++i) {
    Descriptor d = stored.layers.at(i);
    d.media_type = oci_layer_type(store, infos[i]);
    d.digest = infos[i].digest;
    d.size = static_cast<int64_t>(infos[i].size);
    layers.push_back(std::move(d));
  }
  return serialize_oci_manifest(config, layers, {}, std::nullopt, "");
}

// Every instance of the list `digest`, byte-exact (the list names them by digest), then the list;
// returns the list's descriptor for index.json.
json write_list_instances(store::Store& store, const Digest& digest, LayoutSink& sink) {
  std::string raw = store.blobs().read(digest);
  Index list = parse_index(raw);
  std::set<Digest> written;  // instances share layers; each blob goes once
  auto put = [&](const Digest& blob) {
    if (written.insert(blob).second) {
      copy_blob(store, blob, sink, fmt::format("blobs/sha256/{}", blob.hex()));
    }
  };
  for (const Descriptor& entry : list.manifests) {
    if (!store.image_by_manifest(entry.digest) || !store.blobs().exists(entry.digest)) {
      fail(ErrorKind::kNotFound,
           fmt::format("saving manifest list {}: image {} is not in local storage", digest.str(),
                       entry.digest.str()));
    }
    Manifest manifest = parse_manifest(store.blobs().read(entry.digest), entry.media_type);
    for (const Descriptor& layer : manifest.layers) put(layer.digest);
    put(manifest.config.digest);
    put(entry.digest);
  }
  sink.file(fmt::format("blobs/sha256/{}", digest.hex()), raw);
  return {{"mediaType", list.media_type}, {"digest", digest.str()}, {"size", raw.size()}};
}

// The image's blobs, its manifest as OCI; returns the manifest's descriptor for index.json.
json write_image(store::Store& store, const Digest& id, LayoutSink& sink) {
  auto image = store.image(id);
  if (!image) fail(ErrorKind::kNotFound, fmt::format("{}: image not known", id.str()));
  std::string manifest = oci_manifest_for(store, *image);
  Digest manifest_digest = Digest::sha256_of(manifest);
  for (const auto& layer : store.layers(id)) {
    copy_blob(store, layer.digest, sink, fmt::format("blobs/sha256/{}", layer.digest.hex()));
  }
  copy_blob(store, id, sink, fmt::format("blobs/sha256/{}", id.hex()));
  sink.file(fmt::format("blobs/sha256/{}", manifest_digest.hex()), manifest);
  return {{"mediaType", media_type::kOciManifest},
          {"digest", manifest_digest.str()},
          {"size", manifest.size()}};
}

void write_oci_layout(store::Store& store, const SaveItem& item, LayoutSink& sink) {
  json desc =
      item.list ? write_list_instances(store, *item.list, sink) : write_image(store, item.id, sink);
  if (!item.names.empty()) {
    desc["annotations"] = {{"org.opencontainers.image.ref.name", item.names.front()}};
  }
  json index = {{"schemaVersion", 2}, {"manifests", json::array({desc})}};
  sink.file("index.json", index.dump());
  sink.file("oci-layout", R"({"imageLayoutVersion": "1.0.0"})");
}

// Gzips the stored uncompressed layer into `dir` under its new digest's hex; returns its
// descriptor fields. The file is written under a temporary name and renamed once its digest is
// known.
std::pair<Digest, uint64_t> write_gzipped_layer(store::Store& store, const Digest& layer,
                                                const fs::path& dir) {
  fs::path temp = dir / (".tmp-" + std::string(layer.hex()));
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail_errno("create", temp.string());
  UniqueFd guard(fd);
  try {
    FdWriter out(fd, temp.string());
    HashingWriter hashed(&out);
    auto gzip = compress(hashed, Compression::kGzip);
    StoredLayerReader tar(store.blobs(), layer);
    copy_stream(tar, *gzip);
    gzip->finish();
    Digest digest = hashed.finish();
    fs::path target = dir / std::string(digest.hex());
    if (::rename(temp.c_str(), target.c_str()) != 0) fail_errno("rename to", target.string());
    return {digest, hashed.count()};
  } catch (...) {
    ::unlink(temp.c_str());
    throw;
  }
}

// The `dir:` transport: blobs and manifest byte-exact, or with --compress the layers stored
// uncompressed gzipped and the manifest rewritten to name them (as podman's --compress does).
void write_docker_dir(store::Store& store, const SaveItem& item, DirSink& sink, bool compress) {
  auto image = store.image(item.id);
  if (!image) fail(ErrorKind::kNotFound, fmt::format("{}: image not known", item.id.str()));
  std::string raw = store.blobs().read(image->manifest_digest);
  auto manifest = nlohmann::ordered_json::parse(raw, nullptr, false);
  bool rewritten = false;
  auto layers = store.layers(item.id);
  for (size_t i = 0; i < layers.size(); ++i) {
    const auto& layer = layers[i];
    if (!compress || layer.digest != layer.diff_id) {
      copy_blob(store, layer.digest, sink, layer.digest.hex());
      continue;
    }
    if (!manifest.is_object() || !manifest["layers"].is_array() ||
        manifest["layers"].size() != layers.size()) {
      fail(ErrorKind::kIntegrity, fmt::format("{}: the stored manifest does not list the image's "
                                              "layers",
                                              image->manifest_digest.str()));
    }
    auto [digest, size] = write_gzipped_layer(store, layer.digest, sink.dir());
    auto& desc = manifest["layers"][i];
    desc["mediaType"] = image->manifest_media_type == media_type::kDockerManifest
                            ? media_type::kDockerLayerGzip
                            : media_type::kOciLayerGzip;
    desc["size"] = size;
    desc["digest"] = digest.str();
    rewritten = true;
  }
  copy_blob(store, item.id, sink, item.id.hex());
  if (rewritten) {
    sink.file("manifest.json", manifest.dump());
  } else {
    copy_blob(store, image->manifest_digest, sink, "manifest.json");
  }
  sink.file("version", "Directory Transport Version: 1.1\n");
}

}  // namespace

SaveFormat parse_save_format(std::string_view name) {
  return format_from(name);
}

bool is_directory_format(SaveFormat format) {
  return format == SaveFormat::kOciDir || format == SaveFormat::kDockerDir;
}

void save_archive(store::Store& store, SaveFormat format, const std::vector<SaveItem>& items,
                  Writer& out) {
  TarSink sink(out);
  if (format == SaveFormat::kDockerArchive) {
    write_docker_archive(store, items, sink);
  } else if (format == SaveFormat::kOciArchive) {
    if (items.size() != 1) {
      fail(ErrorKind::kInvalidInput, "oci-archive holds exactly one image");
    }
    write_oci_layout(store, items.front(), sink);
  } else {
    fail(ErrorKind::kInternal, "directory format passed to save_archive");
  }
  sink.finish();
  for (const auto& item : items) store.touch(item.id);
}

void save_directory(store::Store& store, SaveFormat format, const SaveItem& item,
                    const fs::path& dir, bool compress) {
  DirSink sink(dir);
  if (format == SaveFormat::kOciDir) {
    write_oci_layout(store, item, sink);
  } else if (format == SaveFormat::kDockerDir) {
    write_docker_dir(store, item, sink, compress);
  } else {
    fail(ErrorKind::kInternal, "archive format passed to save_directory");
  }
  sink.finish();
  store.touch(item.id);
}

}  // namespace schicht::transport
