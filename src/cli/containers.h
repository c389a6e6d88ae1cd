// What commands other than the container commands need from them: removing an image's
// containers (rmi -f), dropping snapshots no image needs, the images containers use.
#pragma once

#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/digest.h"
#include "snapshot/snapshotter.h"
#include "store/check.h"
#include "store/store.h"

namespace schicht::cli {

// Removes one container: its row first, then its files; returns the bytes freed on disk.
uint64_t remove_container(store::Store& store, const std::string& id);

// Removes every container of `image`: rows first, then their files.
void remove_containers_of(store::Store& store, const Digest& image);

// The chain IDs ("sha256:…") of every prefix of every image's layers but those of the images
// in `except` (IDs "sha256:…") that no container uses: the snapshots in use (once they are
// gone). A container's image keeps its snapshots, which may be its overlay's lower directories.
std::set<std::string> needed_snapshots(store::Store& store,
                                       const std::set<std::string>& except = {});

// The bytes remove_unused_snapshots would free once the images in `removed` are gone.
uint64_t unused_snapshot_bytes(store::Store& store, const std::set<std::string>& removed);

// The bytes all snapshots occupy, each counted once (Snapshotter::bytes).
uint64_t snapshot_bytes(store::Store& store);

// Deletes the snapshots that are no prefix of a remaining image's layer chain; returns the
// bytes freed on disk.
uint64_t remove_unused_snapshots(store::Store& store);

// The snapshot sources of an image's layers, bottom first (for Snapshotter::prepare).
std::vector<snapshot::LayerSource> layer_sources(store::Store& store, const Digest& image);

// Unmounts the image if `image mount` mounted it (rmi does, before removing it).
void unmount_image(store::Store& store, const Digest& image);

// What `container inspect` (and `inspect` of a container) shows of one.
nlohmann::ordered_json container_inspect_json(store::Store& store, const store::ContainerInfo& c);

// `system check`: an overlay container whose layer snapshots are missing or whose root
// filesystem is not mounted (after a reboot); repair rebuilds the snapshots and mounts it again.
void check_container_roots(store::Store& store, const store::CheckOptions& options,
                           store::CheckReport& report);

// IDs ("sha256:…") of the images some container uses.
std::set<std::string> images_in_use(store::Store& store);

}  // namespace schicht::cli
