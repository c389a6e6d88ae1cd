// podman's image filters (--filter KEY=VALUE, and the positional reference of `images`):
// dangling, intermediate, reference (wildcards), label, before, since, until, id, digest,
// readonly, manifest, containers. Filters select images; several values of one key are ORed,
// different keys ANDed, as in podman. The boolean keys (and containers) take one value: a
// second, different one is an error, as in podman 4.3.
//
// dangling: untagged and no image is its child; intermediate: untagged with a child
// (store/image_children.h). readonly: whether the image comes from an additional, read-only
// image store (ImageInfo::read_only).
// manifest: whether the image is a manifest list; lists are not images here (store/lists.h),
// so none is. containers: whether a container uses the image.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

namespace schicht::images {

class ImageFilter {
 public:
  // kInvalidInput for an unknown key ("unsupported image filter "x"") or a bad value.
  ImageFilter(store::Store& store, const std::vector<std::string>& filters, int64_t now_ns);
  bool matches(const store::ImageInfo& image) const;
  // What matches() reads of an image beyond IDs, times and names, and a cut the store can make
  // first: with one reference= pattern, the text every name it matches contains.
  store::ImageListing listing() const;
  // Whether a filter of this key was given (images adds intermediate=false unless --all).
  bool has(std::string_view key) const;

 private:
  struct Clause {
    std::string key;
    std::vector<std::string> values;
    // For the boolean keys: the value, parsed once (matches() runs per image).
    bool flag = false;
  };
  bool clause_matches(const Clause& clause, const store::ImageInfo& image) const;
  bool has_child(const store::ImageInfo& image) const;

  store::Store& store_;
  std::set<std::string> used_by_containers_;
  mutable std::map<std::string, bool> children_;  // by image ID: has_child_image, asked once

  std::vector<Clause> clauses_;
  // before/since resolve to the referenced image's created time; until to a point in time.
  int64_t before_ = 0, since_ = 0, until_ = 0;
};

// Whether `pattern` (shell wildcards, '*' not crossing '/') matches one of the image's names
// in any of the forms podman accepts: full, without tag, without the registry, short.
bool reference_matches(const std::string& pattern, const store::ImageInfo& image);

// The longest run of literal text in `pattern` that any name reference_matches with it must
// contain: wildcards, classes and ':' (a digest name's forms add one) end a run.
std::string literal_of_reference(std::string_view pattern);

}  // namespace schicht::images
