// Finding a manifest list by what a user typed, for every command that takes one (manifest
// commands, rmi, save, build --manifest): lists have their own names beside image names.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "store/lists.h"
#include "store/store.h"

namespace schicht::images {

// The name a new list gets: short names go to localhost/, "latest" when untagged.
std::string list_name(std::string_view text);

// The list `text` names: its normalized name, or a stored name ending in "/<text>[:latest]".
// A "containers-storage:" prefix is ignored.
std::optional<store::ListInfo> find_list(store::Store& store, std::string_view text);

// Like find_list, but kNotFound with podman's "<text>: image not known".
store::ListInfo resolve_list(store::Store& store, std::string_view text);

}  // namespace schicht::images
