// Containers as podman records them, below the command line: creating one (its root
// filesystem made by the storage driver, storage_driver.h), removing one or an image's
// (rmi -f), what `container inspect` shows of one, the images containers use, the snapshots no
// image or container needs, and the part of `system check` that remounts containers' roots.
#pragma once

#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "containers/storage_driver.h"
#include "core/digest.h"
#include "snapshot/snapshotter.h"
#include "store/check.h"
#include "store/store.h"

namespace schicht::containers {

// What `create` makes: a container of `image` (of the primary store) named `name` (empty: a
// random unused name) that runs `command`, its root filesystem made as `driver` asks.
struct CreateRequest {
  Digest image;
  std::string name;
  std::string image_name;  // the name `ps` shows
  std::vector<std::string> command;
  DriverRequest driver;
};

// Makes the container's root filesystem and records it; on failure nothing is left.
store::ContainerInfo create_container(store::Store& store, const CreateRequest& request);

// The names the store's containers have.
std::set<std::string> container_names(store::Store& store);

// Removes one container: its row first, then its files; returns the bytes freed on disk.
uint64_t remove_container(store::Store& store, const std::string& id);

// Removes one container as `rm` does, under its lock: its row, then its files (unmounting
// its root filesystem), without measuring them.
void remove_container_unmeasured(store::Store& store, const std::string& id);

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

// What `container inspect` (and `inspect` of a container) shows of one.
nlohmann::ordered_json container_inspect_json(store::Store& store, const store::ContainerInfo& c);

// `system check`: an overlay container whose layer snapshots are missing or whose root
// filesystem is not mounted (after a reboot); repair rebuilds the snapshots and mounts it again.
void check_container_roots(store::Store& store, const store::CheckOptions& options,
                           store::CheckReport& report);

// IDs ("sha256:…") of the images some container uses.
std::set<std::string> images_in_use(store::Store& store);

}  // namespace schicht::containers
