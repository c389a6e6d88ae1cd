// The build cache: what each build step produced, keyed by everything the step depends on
// (the builder computes the key: parent image, instruction, build args, source content).
// An entry holds the step's image config blob and the image's layers; its blobs are GC roots
// (build_cache_blobs) until `system prune` / `image prune --build-cache` removes the entry.
// Functions on a Store; same threading rules as the Store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/digest.h"
#include "store/store.h"

namespace schicht::store {

struct CacheEntry {
  Digest config;  // the config blob of the image the step produced
  uint64_t config_size = 0;
  std::vector<LayerInfo> layers;  // all of the image's layers, bottom first
  int64_t created = 0;
};

// The entry for `key` when it exists and all its blobs are still in the blob store.
std::optional<CacheEntry> cache_lookup(Store& store, const std::string& key);

// Records an entry whose blobs are all durable (replacing any entry of that key).
void cache_put(Store& store, const std::string& key, const CacheEntry& entry);

struct CacheUsage {
  uint64_t entries = 0;
  uint64_t bytes = 0;        // every blob the cache references, each once
  uint64_t reclaimable = 0;  // of those, blobs no image references
};

CacheUsage cache_usage(Store& store);

// Removes every entry, then the blobs nothing else references.
RemovalReport prune_build_cache(Store& store);

}  // namespace schicht::store
