// Manifest lists and image indexes under names (schema.h, version 3): what `manifest` commands
// edit and what a pull of a list records besides the image it picked.
//
// A list's bytes are a blob; editing a list stores a new blob and moves the name, the old blob
// going once nothing references it. List names are their own namespace: a name may denote an
// image (names) and a list (list_names) at once.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/digest.h"
#include "store/store.h"

namespace schicht::store {

struct ListInfo {
  std::string name;
  Digest digest;           // of the stored blob
  std::string media_type;  // of the stored blob
  std::string format;      // the media type it is shown and pushed as
  int64_t added = 0;
};

// The list `name` denotes (exact stored name), or nullopt.
std::optional<ListInfo> list_by_name(Store& store, const std::string& name);
std::vector<ListInfo> lists(Store& store);

// What an edit read: the list digest `name` had (nullopt: none). put_list refuses (kConflict,
// nothing changed) when another process moved the name meanwhile, so no edit is lost.
struct ReadState {
  std::optional<Digest> digest;
};

// Instance digest ("sha256:…") → the repository ("host/path") it can be copied from when it is
// not in the store: instances added from a registry, and those of a pulled list.
using ListSources = std::map<std::string, std::string>;

// Stores `raw` durably, then points `name` at it in one transaction; the list `name` denoted
// before goes when nothing else names it. Without `read`, whatever the name had is replaced.
// `sources` are recorded for the new list digest.
void put_list(Store& store, const std::string& name, std::string_view raw,
              std::string_view media_type, std::string_view format,
              const std::optional<ReadState>& read = std::nullopt, const ListSources& sources = {});

// The sources recorded for the list blob `digest`.
ListSources list_sources(Store& store, const Digest& digest);

// Removes the name and, when it was the list's last, the list and its blob; false when no
// list has `name`.
bool remove_list(Store& store, const std::string& name);

class Db;
// Inside the caller's transaction: removes `name` from a list pulled under it (one whose blob
// is the registry's), as the image's name goes with rmi; returns the list's digest when it was
// its last name and its row went (the caller collects the blob).
std::optional<std::string> drop_pulled_list_name(Db& db, const std::string& name);

}  // namespace schicht::store
