#include "images/prune.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "core/error.h"
#include "core/kill_point.h"
#include "core/reference.h"
#include "images/image_filter.h"
#include "oci/index.h"
#include "store/lists.h"
#include "store/usage.h"

namespace schicht::images {
namespace {

// --keep-last: the IDs of the newest N images of each repository (`images` is oldest first).
std::set<std::string> kept_per_repository(const std::vector<store::ImageInfo*>& images,
                                          int64_t keep_last) {
  std::set<std::string> kept;
  if (keep_last < 0) return kept;
  std::map<std::string, std::vector<const store::ImageInfo*>> by_repo;
  for (const auto* image : images) {
    for (const auto& name : image->names) {
      if (auto ref = Reference::try_parse(name)) by_repo[ref->name()].push_back(image);
    }
  }
  for (auto& [repo, list] : by_repo) {
    for (size_t i = 0; i < list.size(); ++i) {
      if (list.size() - i <= static_cast<size_t>(keep_last)) kept.insert(list[i]->id.str());
    }
  }
  return kept;
}

// The manifests stored lists name: an untagged instance of one (another platform of a loaded
// or pulled image) is part of that image, not dangling.
std::set<Digest> listed_manifests(store::Store& store) {
  std::set<Digest> listed;
  for (const store::ListInfo& list : store::lists(store)) {
    Index index = with_context(fmt::format("reading manifest list {}", list.name), [&] {
      return parse_index(store.blobs().read(list.digest), list.media_type);
    });
    for (const Descriptor& entry : index.manifests) listed.insert(entry.digest);
  }
  return listed;
}

// --max-size: only as many of the least recently used as it takes to get under the size.
std::vector<store::ImageInfo> until_under(store::Store& store,
                                          std::vector<store::ImageInfo> candidates,
                                          int64_t max_size) {
  store::Usage usage = store::usage(store);
  std::vector<store::ImageInfo> needed;
  std::vector<std::string> ids;
  for (const auto& image : candidates) {
    if (usage.image_bytes - usage.freed_by(ids) <= static_cast<uint64_t>(max_size)) break;
    ids.push_back(image.id.str());
    needed.push_back(image);
  }
  return needed;
}

}  // namespace

std::vector<store::ImageInfo> prune_candidates(store::Store& store, const PruneOptions& o) {
  for (const auto& f : o.filters) {
    std::string key = f.substr(0, f.find('='));
    if (key != "until" && key != "label" && key != "label!") {
      fail(ErrorKind::kInvalidInput, fmt::format("{} is an invalid filter", key));
    }
  }
  ImageFilter filter(store, o.filters, store::now_ns());
  // Rows only as the filters need them: no manifest digests, labels only for label filters.
  auto listed_images = store.images(filter.listing());
  // Least recently used first. Pointers are sorted, not the images (moving 10,000 of them cost
  // more than the rest of the sort); std::sort makes the same moves either way.
  std::vector<store::ImageInfo*> images;
  images.reserve(listed_images.size());
  for (auto& image : listed_images) images.push_back(&image);
  std::sort(images.begin(), images.end(),
            [](const auto* a, const auto* b) { return a->last_used < b->last_used; });
  std::set<std::string> kept = kept_per_repository(images, o.keep_last);
  std::set<std::string> in_use;
  if (!o.ignore_containers) {
    for (const auto& c : store.containers()) in_use.insert(c.image_id.str());
  }
  std::set<Digest> listed;
  if (!o.all) listed = listed_manifests(store);
  std::vector<store::ImageInfo> out;
  for (auto* candidate : images) {
    store::ImageInfo& image = *candidate;
    if (in_use.count(image.id.str()) != 0) continue;  // a container holds it
    if (image.names.empty() && listed.count(image.manifest_digest) != 0) continue;
    if (!o.all && !image.names.empty()) continue;
    if (!filter.matches(image) || kept.count(image.id.str()) != 0) continue;
    out.push_back(std::move(image));  // each image is looked at once
  }
  if (o.max_size >= 0) out = until_under(store, std::move(out), o.max_size);
  return out;
}

PruneResult prune_images(store::Store& store, const PruneOptions& o, const PruneEffects& effects) {
  PruneResult result;
  auto candidates = prune_candidates(store, o);
  if (o.dry_run) {
    std::vector<std::string> ids;
    for (const auto& image : candidates) {
      ids.push_back(image.id.str());
      result.removed.push_back(image.id);
    }
    std::vector<Digest> freed;
    for (const auto& blob : store::blobs_freed_by(store, ids)) {
      freed.push_back(Digest::parse(blob));
    }
    result.freed += store.blobs().disk_usage(freed);
    // The real prune also removes the snapshots (a container's, a build's) no kept image needs.
    if (effects.unused_snapshot_bytes) {
      result.freed += effects.unused_snapshot_bytes(std::set<std::string>(ids.begin(), ids.end()));
    }
    return result;
  }
  for (const auto& image : candidates) {
    store::RemovalReport report = store.remove_image(image.id);
    if (effects.removed) effects.removed(image.id, report);
    result.removed.push_back(image.id);
    result.freed += report.freed_bytes;
    kill_point("prune-image-removed");
  }
  if (effects.remove_unused_snapshots) result.freed += effects.remove_unused_snapshots();
  return result;
}

}  // namespace schicht::images
