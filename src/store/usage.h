// Disk usage of the store as `system df` reports it: every blob counted once, and for each
// image the bytes it shares with other images and the bytes only it holds. Read from the
// database alone (blob sizes are recorded when blobs are stored); nothing is walked on disk.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/store.h"

namespace schicht::store {

struct ImageUsage {
  uint64_t bytes = 0;   // all blobs the image references
  uint64_t shared = 0;  // of those, the bytes of blobs another image references too
  uint64_t unique() const { return bytes - shared; }
};

// Digests are sha256: their last eight hex digits hash as well as all 71 bytes, and a lookup
// by string_view needs no copy.
struct DigestTextHash {
  using is_transparent = void;
  size_t operator()(std::string_view digest) const;
};

struct Usage {
  uint64_t image_bytes = 0;  // every blob that some image references, each once
  std::unordered_map<std::string, ImageUsage, DigestTextHash, std::equal_to<>> images;  // by ID

  // Bytes that removing all images in `ids` would free: blobs no other image references.
  uint64_t freed_by(const std::vector<std::string>& ids) const;
  // The blobs removing all images in `ids` would delete: those no other image references.
  std::vector<std::string> blobs_freed_by(const std::vector<std::string>& ids) const;

  // The reference graph, blobs numbered in the order first seen.
  std::vector<std::string> blob_digests;
  std::vector<uint64_t> blob_sizes;
  std::vector<uint32_t> blob_users;  // how many images reference each blob
  std::unordered_map<std::string, std::vector<uint32_t>, DigestTextHash, std::equal_to<>> blobs_of;
};

Usage usage(Store& store);

// What Usage::blobs_freed_by gives, in digest order, without the sizes or per-image maps
// (`image prune --dry-run` at 10,000 images).
std::vector<std::string> blobs_freed_by(Store& store, const std::vector<std::string>& ids);

// The Images row of `system df`: the same figures Usage gives. The image count and bytes are
// kept exact by the schema's triggers as rows change (one row read, whatever the store's
// size); what containers hold is summed from the containers.
struct ImageTotals {
  uint64_t images = 0;
  uint64_t active = 0;       // images a container uses
  uint64_t bytes = 0;        // every blob some image references, each once
  uint64_t reclaimable = 0;  // of those, the bytes no container's image references
};
ImageTotals image_totals(Store& store);
// The image count and bytes recounted from every row (`system check` compares them with the
// kept ones); active and reclaimable are left 0.
ImageTotals counted_image_totals(Store& store);
// Sets the kept totals to a recount's (`system check --repair`); inside the caller's write
// transaction.
void set_image_totals(Db& db, const ImageTotals& totals);

}  // namespace schicht::store
