#include "builder/layers.h"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include "archive/compression.h"
#include "archive/layer.h"
#include "builder/mapped_tree.h"
#include "content/stored_layer.h"
#include "core/error.h"
#include "core/media_type.h"
#include "core/time.h"
#include "oci/manifest.h"
#include "snapshot/apply.h"
#include "snapshot/snapshotter.h"
#include "snapshot/tree_copy.h"
#include "store/config_facts.h"

namespace schicht::builder {
namespace {

UniqueFd open_dir(const fs::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) fail_errno("open", path.string());
  return fd;
}

}  // namespace

store::LayerInfo commit_layer(BlobSink& sink, const fs::path& rootfs, const TreeState& before,
                              const DiffOptions& options) {
  return commit_layer(sink, [&](Writer& out) { write_build_diff(rootfs, before, out, options); });
}

store::LayerInfo commit_layer(BlobSink& sink, const std::function<void(Writer&)>& write_tar) {
  auto ingest = sink.store.blobs().begin_ingest("layer");
  HashingWriter compressed(ingest.get());
  auto gzip = compress(compressed, Compression::kGzip);
  HashingWriter plain(gzip.get());
  write_tar(plain);
  gzip->finish();
  store::LayerInfo layer{.digest = compressed.finish(),
                         .size = compressed.count(),
                         .media_type = std::string(media_type::kOciLayerGzip),
                         .diff_id = plain.finish(),
                         .uncompressed_size = plain.count()};
  sink.writer.put_ingest(std::move(ingest), layer.digest, std::nullopt, "layer");
  return layer;
}

std::pair<Digest, uint64_t> commit_config(BlobSink& sink, const ImageConfig& config) {
  std::string bytes = serialize_config(config);
  Digest id = Digest::sha256_of(bytes);
  sink.writer.put(bytes, id, "config");
  return {id, bytes.size()};
}

namespace {

// A layer's media type in a Docker schema 2 manifest.
std::string docker_layer_type(std::string_view type) {
  if (type == media_type::kOciLayerGzip) return std::string(media_type::kDockerLayerGzip);
  if (type == media_type::kOciLayer) return std::string(media_type::kDockerLayer);
  if (type == media_type::kDockerLayerGzip || type == media_type::kDockerLayer) {
    return std::string(type);
  }
  fail(ErrorKind::kUnsupported,
       fmt::format("a layer of type {} cannot be described by a Docker manifest: build with "
                   "--format oci",
                   type));
}

}  // namespace

void commit_image(BlobSink& sink, const Digest& config_id, uint64_t config_size,
                  const ImageConfig& config, const std::vector<store::LayerInfo>& layers,
                  const std::map<std::string, std::string>& annotations,
                  const std::vector<std::string>& names, bool docker_format) {
  Descriptor config_desc{
      .media_type = std::string(docker_format ? media_type::kDockerConfig : media_type::kOciConfig),
      .digest = config_id,
      .size = static_cast<int64_t>(config_size)};
  std::vector<Descriptor> layer_descs;
  layer_descs.reserve(layers.size());
  for (const auto& l : layers) {
    layer_descs.push_back(
        Descriptor{.media_type = docker_format ? docker_layer_type(l.media_type) : l.media_type,
                   .digest = l.digest,
                   .size = static_cast<int64_t>(l.size)});
  }
  // Docker manifests have no annotations (buildah drops them for --format docker too).
  std::string manifest = docker_format
                             ? serialize_docker_manifest(config_desc, layer_descs)
                             : serialize_oci_manifest(config_desc, layer_descs, annotations);
  Digest manifest_digest = Digest::sha256_of(manifest);
  sink.writer.put(manifest, manifest_digest, "manifest");
  store::NewImage image{.id = config_id,
                        .config_size = config_size,
                        .manifest_digest = manifest_digest,
                        .manifest_media_type = std::string(
                            docker_format ? media_type::kDockerManifest : media_type::kOciManifest),
                        .manifest_size = manifest.size()};
  image.created = config.created.empty() ? store::now_ns() : rfc3339_to_unix_nanos(config.created);
  store::take_config_facts(image, config);
  image.layers = layers;
  sink.writer.record(image, names, "build");
}

static std::vector<snapshot::LayerSource> snapshot_sources(
    store::Store& store, const std::vector<store::LayerInfo>& layers) {
  std::vector<snapshot::LayerSource> sources;
  for (const auto& layer : layers) {
    Digest digest = layer.digest;
    sources.push_back({layer.diff_id, [&store, digest] {
                         return std::make_unique<StoredLayerReader>(store.blobs(), digest);
                       }});
  }
  return sources;
}

snapshot::HeldSnapshot hold_snapshots(store::Store& store,
                                      const std::vector<store::LayerInfo>& layers) {
  snapshot::Snapshotter snapshots(store.root() / "snapshots");
  return snapshots.prepare_held(snapshot_sources(store, layers));
}

fs::path snapshot_of(store::Store& store, const std::vector<store::LayerInfo>& layers,
                     const fs::path& empty_dir) {
  make_dirs(empty_dir, 0755);
  if (!layers.empty()) materialize(store, layers, empty_dir);
  return empty_dir;
}

void apply_stored_layers(store::Store& store, const std::vector<store::LayerInfo>& layers,
                         const fs::path& dir) {
  in_build_namespace([&] {
    for (const auto& layer : layers) {
      StoredLayerReader plain(store.blobs(), layer.digest);
      snapshot::ApplyOptions apply;
      apply.name = "layer " + layer.diff_id.str();
      snapshot::apply_layer(plain, dir, apply);
    }
  });
}

void materialize(store::Store& store, const std::vector<store::LayerInfo>& layers,
                 const fs::path& dir) {
  make_dirs(dir, 0755);
  if (layers.empty()) return;
  // Rootless snapshots carry no owners (the caller cannot chown): with subordinate ids the
  // layers are applied as root of the build's user namespace instead, so the root filesystem
  // holds the owners the layers record, as a root build's does.
  if (builds_in_namespace()) return apply_stored_layers(store, layers, dir);
  // Snapshots are diffs: flattened bottom up, held so that none is removed meanwhile.
  snapshot::HeldSnapshot held = hold_snapshots(store, layers);
  UniqueFd to = open_dir(dir);
  snapshot::flatten_diffs(held.paths(), to.get(), ::geteuid() == 0);
}

}  // namespace schicht::builder
