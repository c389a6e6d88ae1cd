// containers-storage:NAME (transport/storage_name.h): the local store as a copy engine
// transport, either side.
//
// Source: the stored image NAME finds (as podman finds it: name, short name, ID, name@digest);
// its manifest byte-exact as stored (the one NAME@DIGEST names, else the image's), its blobs
// from the blob store. kNotFound when no image matches.
//
// Destination: writes through one store::ImageWriter. Configs are stored verified; layers are
// stored verified with their diffIDs computed while they stream in (on a second thread:
// layer_split.h); a layer the store has gets its diffID from the rows, or by reading it.
// put_manifest (the top one: it takes no index) checks every layer's diffID against the config
// and stores the manifest; commit() records the image under NAME (normalized as a docker
// reference), with tag log action "copy". A list (--multi-arch all) goes in whole: each
// instance as an image named NAME@DIGEST (the one for the platform, this machine's unless
// given, also as NAME), then the list under NAME (store/lists.h) with its bytes and digest
// unchanged; a list without its instances (index-only) is refused. Kill points (core/kill_point.h):
// ACTION-layers-stored before the manifest is stored, ACTION-blobs-stored before the rows,
// ACTION-images-stored between a list's images and the list. Destroyed before commit(), it removes
// every blob it created. A destination may name the image with several names or none (pull from
// a local transport), and several may share one write (StoreBatch: load).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "copy/image_destination.h"
#include "copy/image_source.h"
#include "core/platform.h"
#include "store/image_writer.h"
#include "store/lists.h"
#include "store/store.h"
#include "transport/transport_name.h"

namespace schicht::copy {

std::unique_ptr<ImageSource> storage_source(store::Store& store,
                                            const transport::TransportRef& ref);

// kInvalidInput when NAME is not an image name (an ID cannot name a new image).
std::unique_ptr<ImageDestination> storage_destination(store::Store& store,
                                                      const transport::TransportRef& ref);

// The same destination for a command of its own (pull): the image goes under `image_name`
// (normalized already, with a tag or "repo@digest"), recorded with tag log action `action`;
// of a list, the instance for `platform` gets the name, and the list is recorded with `sources`
// (where instances it does not store can be copied from: store/lists.h). With `unpack`, each
// layer is also extracted as its diff snapshot (snapshot/snapshotter.h) in the same pass that
// stores it, and the snapshots are renamed into place once the image is recorded, the layers
// that need the layers below them (or could not be extracted) left to be built when used.
std::unique_ptr<ImageDestination> storage_destination(
    store::Store& store, const std::string& image_name, const std::string& action,
    const PlatformChoice& platform, const store::ListSources& sources = {}, bool unpack = false);

// The same under any number of names (none: the image is stored unnamed; a list is then not
// kept, only its instances), for pull from a local transport: names as podman gives them.
std::unique_ptr<ImageDestination> storage_destination(store::Store& store,
                                                      const std::vector<std::string>& names,
                                                      const std::string& action,
                                                      bool unpack = false);

struct StoreRows;

// Several images into the store as one write (load of an archive): the destinations it opens
// share one ImageWriter (its blobs made durable in groups: ImageWriter::group_commits), and
// their commit() only queues their rows; commit() records them all
// (with tag log action `action`). So an archive goes in whole or not at all: destroyed before
// commit(), the batch removes every blob any of its destinations created.
class StoreBatch {
 public:
  StoreBatch(store::Store& store, std::string action);
  ~StoreBatch();
  StoreBatch(const StoreBatch&) = delete;
  StoreBatch& operator=(const StoreBatch&) = delete;

  // An image (or a list with its instances) under `names` (normalized; may be empty). Rows
  // are recorded in `slot` order (an archive's entry order, so a name two entries carry ends on
  // the later one), whatever order the destinations commit in. Destinations may be opened and
  // used on several threads at once.
  std::unique_ptr<ImageDestination> destination(size_t slot, const std::vector<std::string>& names);
  void commit();

  // For the destinations: the rows one of them commits.
  void queue(size_t slot, StoreRows rows);

 private:
  std::unique_ptr<store::ImageWriter> writer_;
  std::string action_;
  std::mutex mutex_;  // queued_
  std::map<size_t, StoreRows> queued_;
};

}  // namespace schicht::copy
