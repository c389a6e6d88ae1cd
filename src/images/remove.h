// Removing images and names: rmi, untag and tag as podman 4.3 does them, without printing.
// The caller renders what happened (`Removed`, in order) and records the events.
//
// An image goes with its last name; one of several names goes alone unless the image was
// named by ID (then every name goes, and with more than one only when forced). A manifest
// list named like the argument (and no image so named) loses that name, its blob with its
// last name. Containers, mounts and snapshots belong to other modules, so the caller brings
// what removing does to them (`RemovalEffects`).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/digest.h"
#include "core/error.h"
#include "store/store.h"

namespace schicht::images {

struct RemovalEffects {
  // rmi -f: the image's containers go first (without -f a container keeps its image: kInUse).
  std::function<void(const Digest& image)> remove_containers;
  // Detaches an `image mount` of the image before it goes.
  std::function<void(const Digest& image)> unmount;
  // Drops the snapshots no remaining image or container needs.
  std::function<void()> remove_unused_snapshots;
};

struct RemoveOptions {
  bool force = false;   // -f: remove containers first, names by ID, ignore unknown images
  bool ignore = false;  // -i: ignore unknown images
};

// One thing a removal did, in the order it happened.
struct Removed {
  enum class What {
    kImage,  // the image went: `untagged` are the names it had
    kName,   // only the name `untagged[0]` went (and, for a whole multi-platform image, its
             // instances' REPO@DIGEST names); the image stays
    kList,   // the manifest list name `untagged[0]` went; `deleted` when its blob went too
  };
  What what = What::kImage;
  Digest id;  // the image ID, or the list's digest
  std::vector<std::string> untagged;
  bool deleted = true;
  // kImage: how podman's remove event names the image (the stored name, or the ID as typed;
  // empty for rmi --all); kName: the name.
  std::string referenced_by;
};

struct RemoveResult {
  std::vector<Removed> done;
  std::vector<Error> errors;  // one per argument that failed; the others went on
};

// rmi IMAGE...: each argument on its own; a failure is recorded and the next one tried.
RemoveResult remove_images(store::Store& store, const std::vector<std::string>& names,
                           const RemoveOptions& options, const RemovalEffects& effects);

// rmi --all: every image (with -f its containers first).
RemoveResult remove_all_images(store::Store& store, const RemoveOptions& options,
                               const RemovalEffects& effects);

// untag IMAGE [NAME...]: the names that went (all of the image's when none are given), in
// order. kNotFound "<name>: tag not known" for a name the image does not have; then nothing
// went.
struct Untagged {
  Digest id;
  std::vector<std::string> names;
};
Untagged untag_image(store::Store& store, const std::string& image,
                     const std::vector<std::string>& names);

// tag IMAGE NAME...: the stored names (short names go to localhost/, ":latest" added), in
// order. Every name is checked before any is given. The image counts as used now.
struct Tagged {
  Digest id;
  std::vector<std::string> names;
};
Tagged tag_image(store::Store& store, const std::string& image,
                 const std::vector<std::string>& names);

}  // namespace schicht::images
