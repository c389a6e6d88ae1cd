// `images`' model: which images are listed, in which rows and order (podman's sortImages), what
// podman counts per image beyond its rows (dangling, containers) and its ImageSummary JSON.
// Everything comes from the database: no blob is read and no directory walked. The columns,
// tables and templates are the caller's (it also says which optional parts the store reads).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "store/store.h"

namespace schicht::images {

struct ListRequest {
  std::vector<std::string> filters;      // podman's --filter, each "key=value"
  std::optional<std::string> reference;  // the IMAGE argument: a reference filter
  bool all = false;                      // --all: intermediate images too
  std::string sort = "created";          // created, id, repository, size or tag
  bool digests = false;                  // read ImageInfo::digests (for RepoDigests)
  bool details = false;                  // read the details (for Labels)
  // Read each image's names. Only a reference filter and a sort by repository or tag need them
  // regardless (-q shows IDs alone: whether an image has any name is read in any case).
  bool names = true;
};

// One row of the listing: an image and the name it is shown under (empty: <none>).
struct ListRow {
  const store::ImageInfo* image;
  std::string_view name;
};

struct ImageList {
  std::vector<store::ImageInfo> images;  // every image read; rows point into it
  std::vector<ListRow> rows;             // one per tagged name, in the order shown
};

// The images of `store`, then those of `additional` (each marked read-only; an image an earlier
// store holds is listed once, from there), filtered and sorted as podman does. kInvalidInput
// for an unknown sort key (podman's message) or a bad filter.
ImageList list_images(store::Store& store,
                      const std::vector<std::unique_ptr<store::Store>>& additional,
                      const ListRequest& request, int64_t now_ns);

// The repository and tag of a name as the store keeps it (a normalized reference with a tag or
// a digest, never both): the tag follows the last ':' after the last '/'; a digested name has
// none. No parse.
std::pair<std::string_view, std::string_view> split_stored_name(std::string_view name);

// What podman counts per image beyond its rows: whether it is dangling (untagged, and no image
// was built on it: an untagged parent is intermediate instead) and how many containers use it.
struct Usage {
  bool dangling = false;
  int containers = 0;
};

// Usage of the listed images; reads the containers only when `containers`, and asks for an
// image's children only when `dangling` (otherwise those parts stay false/0).
class UsageCounter {
 public:
  UsageCounter(store::Store& store, bool containers, bool dangling);
  Usage of(const store::ImageInfo& image) const;

 private:
  store::Store& store_;
  bool dangling_;
  std::map<std::string, int> containers_;
};

// The labels of an image as the listing read them (null when none).
nlohmann::ordered_json labels_of(const store::ImageInfo& image);

// podman's ImageSummary as `images --format json` prints it: one object per image.
nlohmann::ordered_json summary_json(const store::ImageInfo& image,
                                    const std::vector<std::string>& history, const Usage& usage);

}  // namespace schicht::images
