// Blobs of a build: layers from a root filesystem diff, configs, the final manifest; and root
// filesystems materialized from layers. Every blob goes through the build's ImageWriter, so a
// failed build discards what nothing references.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "builder/tree_diff.h"
#include "core/digest.h"
#include "oci/config.h"
#include "snapshot/snapshotter.h"
#include "store/image_writer.h"
#include "store/store.h"

namespace schicht::builder {

struct BlobSink {
  store::Store& store;
  store::ImageWriter& writer;
};

// The changes of `rootfs` since `before` as a gzip-compressed layer blob.
store::LayerInfo commit_layer(BlobSink& sink, const fs::path& rootfs, const TreeState& before,
                              const DiffOptions& options);

// The layer blob `write_tar` writes as an uncompressed tar, gzip-compressed.
store::LayerInfo commit_layer(BlobSink& sink, const std::function<void(Writer&)>& write_tar);

// Stores the config; returns its digest (the image ID) and size.
std::pair<Digest, uint64_t> commit_config(BlobSink& sink, const ImageConfig& config);

// Stores the manifest of an image (OCI, or Docker schema 2 with `docker_format`, as
// `build --format docker` writes it) and records the image under `names`.
void commit_image(BlobSink& sink, const Digest& config_id, uint64_t config_size,
                  const ImageConfig& config, const std::vector<store::LayerInfo>& layers,
                  const std::map<std::string, std::string>& annotations,
                  const std::vector<std::string>& names, bool docker_format = false);

// Applies `layers` in order onto the directory `dir` (rootless, as root of the build's user
// namespace: mapped_tree.h).
void apply_stored_layers(store::Store& store, const std::vector<store::LayerInfo>& layers,
                         const fs::path& dir);

// Fills the empty directory `dir` with the union of `layers` (through the snapshot cache, or
// rootless with subordinate ids by applying them, so that they keep their owners).
void materialize(store::Store& store, const std::vector<store::LayerInfo>& layers,
                 const fs::path& dir);

// The snapshots of `layers` (built when missing), held while the result lives.
snapshot::HeldSnapshot hold_snapshots(store::Store& store,
                                      const std::vector<store::LayerInfo>& layers);

// Fills `empty_dir` (made when missing) with the union of `layers`, as materialize() does, and
// returns it: an empty directory for no layers.
fs::path snapshot_of(store::Store& store, const std::vector<store::LayerInfo>& layers,
                     const fs::path& empty_dir);

}  // namespace schicht::builder
