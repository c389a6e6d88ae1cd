// Where copy_image reads an image from. One implementation per transport (docker_image.h,
// oci_dir_image.h, dir_image.h, archive_image.h); copy_image is the only caller.
//
// Call order, as copy_image makes it:
//   1. manifest(nullopt): the manifest or index the reference names, as stored (byte-exact).
//   2. For an index: manifest(entry digest) for each instance that is copied.
//   3. get_blob(descriptor) for each config and layer of each copied instance. Calls for
//      different blobs may run at once on different threads; each streams from its start.
// Nothing is read before step 1, so a policy refusal before it reads nothing. Destroying the
// source ends it; it owns no state outside the process.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/digest.h"
#include "core/io.h"
#include "oci/descriptor.h"

namespace schicht::copy {

struct RawManifest {
  std::string bytes;
  std::string media_type;  // detected as containers/image does (oci/manifest.h)
};

// A repository of a registry, for cross-repository mounts (ImageDestination::try_reuse).
struct RegistryRepository {
  std::string host;
  std::string path;
};

class ImageSource {
 public:
  virtual ~ImageSource() = default;
  // "docker://localhost:5000/a:1", as messages name the source.
  virtual std::string name() const = 0;
  // kNotFound when the image or instance does not exist.
  virtual RawManifest manifest(const std::optional<Digest>& instance) = 0;
  // Writes exactly blob.size bytes of the blob to `out`. Bytes are not verified here: the
  // destination verifies the digest of what it stores.
  virtual void get_blob(const Descriptor& blob, Writer& out) = 0;
  // The names the source's own metadata gives the image it chose (a docker-archive entry's
  // RepoTags; an OCI archive entry's io.containerd.image.name, else its ref.name annotation),
  // as written; empty when it has none. Known once manifest(nullopt) was read.
  virtual std::vector<std::string> carried_names() const { return {}; }
  // The blob's bytes as a reader when the source has them at hand (a file of the local store,
  // a member of an archive): the engine then gives it to the destination directly, without a
  // pipe and its thread. Null: get_blob is used.
  virtual std::unique_ptr<Reader> open_blob(const Descriptor& /*blob*/) { return nullptr; }
  // The registry repository the blobs live in, when they live in one.
  virtual std::optional<RegistryRepository> repository() const { return std::nullopt; }
  // The repository this blob lives in, for a source whose blobs live in several (a local list
  // with instances added from registries: local_list.h). Default: repository().
  virtual std::optional<RegistryRepository> blob_repository(const Descriptor& /*blob*/) const {
    return repository();
  }
};

}  // namespace schicht::copy
