// podman's image filters (--filter KEY=VALUE, and the positional reference of `images`):
// dangling, reference (wildcards), label, before, since, until, id, digest. Filters select
// images; several values of one key are ORed, different keys ANDed, as in podman.
#pragma once

#include <string>
#include <vector>

#include "store/store.h"

namespace schicht::cli {

class ImageFilter {
 public:
  // kInvalidInput for an unknown key ("unsupported image filter "x"") or a bad value.
  ImageFilter(store::Store& store, const std::vector<std::string>& filters, int64_t now_ns);
  bool matches(const store::ImageInfo& image) const;
  // What matches() reads of an image beyond IDs, times and names.
  store::ImageListing needs() const;

 private:
  struct Clause {
    std::string key;
    std::vector<std::string> values;
  };
  bool clause_matches(const Clause& clause, const store::ImageInfo& image) const;

  std::vector<Clause> clauses_;
  // before/since resolve to the referenced image's created time; until to a point in time.
  int64_t before_ = 0, since_ = 0, until_ = 0;
};

// Whether `pattern` (shell wildcards, '*' not crossing '/') matches one of the image's names
// in any of the forms podman accepts: full, without tag, without the registry, short.
bool reference_matches(const std::string& pattern, const store::ImageInfo& image);

}  // namespace schicht::cli
