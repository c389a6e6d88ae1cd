// The local store as the distribution API sees it: repositories, tags, manifests and the blobs
// an image references. Every call reads the database afresh (a WAL read, no cache), so an
// image added or removed while the server runs is seen by the next request.
//
// Scoping: a repository exists when some image or list has a name in it; a manifest is served
// when a name of the repository denotes it (a tag, a name@digest, a list's instance); a blob
// only when an image named in the repository references it (config, layer, manifest) or it is
// a list named there. Nothing else of the blob store is ever reachable.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/digest.h"
#include "store/store.h"

namespace schicht::serve {

struct ServedManifest {
  Digest digest;
  std::string media_type;
};

class StoreView {
 public:
  explicit StoreView(store::Store& store) : store_(store) {}

  // Every stored repository (image and list names), sorted, each once.
  std::vector<std::string> repositories();
  // Whether any image or list is named in `repository`.
  bool has_repository(const std::string& repository);
  // The tags of `repository`, sorted.
  std::vector<std::string> tags(const std::string& repository);
  // The manifest `reference` (tag or digest) denotes in `repository`; a tag naming both a list
  // and an image (a pulled list) gives the list, as the registry it came from did.
  std::optional<ServedManifest> manifest(const std::string& repository,
                                         const std::string& reference);
  // Whether `blob` may be served from `repository` (see above); its size on disk when it may.
  std::optional<uint64_t> blob(const std::string& repository, const Digest& blob);

  store::Store& store() { return store_; }

 private:
  struct Named {
    std::vector<std::string> images;                         // image IDs
    std::vector<std::pair<std::string, std::string>> lists;  // digest, media type
    std::vector<std::string> tags;
  };
  // Every name in `repository`: the images and lists they denote and the tags.
  Named named(const std::string& repository);

  store::Store& store_;
};

}  // namespace schicht::serve
