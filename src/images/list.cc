#include "images/list.h"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "core/error.h"
#include "core/time.h"
#include "gotemplate/template.h"
#include "images/image_filter.h"
#include "images/inspect.h"
#include "store/image_children.h"

namespace schicht::images {
namespace {

using nlohmann::ordered_json;

std::string rfc3339_seconds(int64_t ns) {
  return format_rfc3339_nano((ns / 1'000'000'000) * 1'000'000'000);
}

void check_sort_key(const std::string& key) {
  static const std::vector<std::string> kSortKeys = {"repository", "size", "tag", "created", "id"};
  if (std::find(kSortKeys.begin(), kSortKeys.end(), key) == kSortKeys.end()) {
    fail(ErrorKind::kInvalidInput,
         // podman 4.3 names the fields in alphabetical order.
         fmt::format("{:?} is not a valid field for sorting. Choose from: created, id, "
                     "repository, size, tag",
                     key));
  }
}

// podman's rows (sortImages): one per tagged name; an image without one shows its first name
// (a name a pull by digest recorded) with tag <none>, or <none>:<none> when it has no name.
void add_rows(std::vector<ListRow>& rows, const store::ImageInfo& image) {
  size_t before = rows.size();
  for (const auto& name : image.names) {
    if (name.find('@') == std::string::npos) rows.push_back({&image, name});
  }
  if (rows.size() == before) {
    rows.push_back({&image, image.names.empty() ? std::string_view() : image.names.front()});
  }
}

// Sorts pointers: moving the images themselves costs more than the sort on large stores.
void sort_images(std::vector<const store::ImageInfo*>& images, const std::string& key) {
  if (key == "repository" || key == "tag") return;  // rows are sorted instead (sort_rows)
  // The key is decided once, not in each of the sort's comparisons.
  using Image = const store::ImageInfo*;
  if (key == "created") {
    std::stable_sort(images.begin(), images.end(),
                     [](Image a, Image b) { return a->created > b->created; });
  } else if (key == "id") {
    std::stable_sort(images.begin(), images.end(), [](Image a, Image b) { return a->id < b->id; });
  } else {  // size, smallest first as podman sorts it
    std::stable_sort(images.begin(), images.end(),
                     [](Image a, Image b) { return a->size < b->size; });
  }
}

// podman sorts the rows, not the images, by repository or tag: an image's names part.
void sort_rows(std::vector<ListRow>& rows, const std::string& key) {
  if (key != "repository" && key != "tag") return;
  std::stable_sort(rows.begin(), rows.end(), [&](const ListRow& a, const ListRow& b) {
    auto [repo_a, tag_a] = split_stored_name(a.name);
    auto [repo_b, tag_b] = split_stored_name(b.name);
    auto shown = [](std::string_view v) { return v.empty() ? std::string_view("<none>") : v; };
    if (key == "repository") return shown(repo_a) < shown(repo_b);
    return shown(tag_a) < shown(tag_b);
  });
}

// The additional stores' images after the primary's, each marked read-only; an image the
// primary store (or an earlier additional store) holds is listed once, from there.
void add_additional_images(const std::vector<std::unique_ptr<store::Store>>& stores,
                           const store::ImageListing& listing,
                           std::vector<store::ImageInfo>& images) {
  if (stores.empty()) return;
  std::set<Digest> seen;
  for (const auto& image : images) seen.insert(image.id);
  for (const auto& extra : stores) {
    for (auto& image : extra->images(listing)) {
      if (!seen.insert(image.id).second) continue;
      image.read_only = true;
      images.push_back(std::move(image));
    }
  }
}

}  // namespace

std::pair<std::string_view, std::string_view> split_stored_name(std::string_view name) {
  if (size_t at = name.find('@'); at != std::string_view::npos) return {name.substr(0, at), {}};
  size_t colon = name.rfind(':');
  size_t slash = name.rfind('/');
  if (colon == std::string_view::npos || (slash != std::string_view::npos && colon < slash)) {
    return {name, {}};
  }
  return {name.substr(0, colon), name.substr(colon + 1)};
}

ImageList list_images(store::Store& store,
                      const std::vector<std::unique_ptr<store::Store>>& additional,
                      const ListRequest& request, int64_t now_ns) {
  check_sort_key(request.sort);
  std::vector<std::string> filters = request.filters;
  if (request.reference) filters.push_back("reference=" + *request.reference);
  // As podman does: hiding intermediate images is a filter, so a contradicting one fails.
  if (!request.all) filters.push_back("intermediate=false");
  ImageFilter filter(store, filters, now_ns);
  store::ImageListing listing = filter.listing();
  listing.digests |= request.digests;
  listing.details |= request.details;
  listing.names = request.names || filter.has("reference") || request.sort == "repository" ||
                  request.sort == "tag";
  ImageList out;
  out.images = store.images(listing);
  add_additional_images(additional, listing, out.images);
  std::vector<const store::ImageInfo*> images;
  images.reserve(out.images.size());
  for (const auto& image : out.images) {
    if (filter.matches(image)) images.push_back(&image);
  }
  sort_images(images, request.sort);
  out.rows.reserve(images.size() * 2);
  for (const auto* image : images) add_rows(out.rows, *image);
  sort_rows(out.rows, request.sort);
  return out;
}

UsageCounter::UsageCounter(store::Store& store, bool containers, bool dangling)
    : store_(store), dangling_(dangling) {
  if (containers) {
    for (const auto& c : store.containers()) ++containers_[c.image_id.str()];
  }
}

Usage UsageCounter::of(const store::ImageInfo& image) const {
  Usage usage;
  usage.dangling = image.names.empty() && dangling_ && !store::has_child_image(store_, image.id);
  auto found = containers_.find(image.id.str());
  if (found != containers_.end()) usage.containers = found->second;
  return usage;
}

ordered_json labels_of(const store::ImageInfo& image) {
  auto parsed = nlohmann::json::parse(image.labels_json, nullptr, false);
  if (!parsed.is_object() || parsed.empty()) return nullptr;
  return gotemplate::to_ordered(parsed);
}

ordered_json summary_json(const store::ImageInfo& image, const std::vector<std::string>& history,
                          const Usage& usage) {
  ordered_json j;
  j["Id"] = std::string(image.id.hex());
  j["ParentId"] = "";
  j["RepoTags"] = nullptr;  // podman 4.3 leaves it empty in JSON; the names are in "Names"
  j["RepoDigests"] = repo_digests(image);
  j["Size"] = image.size;
  j["SharedSize"] = 0;
  j["VirtualSize"] = image.size;
  j["Labels"] = labels_of(image);
  j["Containers"] = usage.containers;
  if (image.read_only) j["ReadOnly"] = true;
  if (usage.dangling) j["Dangling"] = true;
  if (!image.names.empty()) j["Names"] = image.names;
  j["Digest"] = image.manifest_digest.str();
  if (!history.empty()) j["History"] = history;
  j["Created"] = image.created / 1'000'000'000;
  j["CreatedAt"] = rfc3339_seconds(image.created);
  return j;
}

}  // namespace schicht::images
