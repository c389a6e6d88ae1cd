// Internal to store/: moving names inside an open transaction, with the tag log row.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/digest.h"

namespace schicht::store {

class Db;

// Points `name` at `id` and records the move; nothing when it already points there.
void move_name(Db& db, const Digest& id, const std::string& name, std::string_view action,
               int64_t now);
// Points each of `names` at `id` (recording moves as move_name does) and puts them, in their
// order, before the image's other names: containers/storage's AddNames, which podman's load,
// pull, build and import use (a tag goes last).
void place_names_first(Db& db, const Digest& id, const std::vector<std::string>& names,
                       std::string_view action, int64_t now);
// Removes `name` and records it; false when no image has it.
bool drop_name(Db& db, const std::string& name, std::string_view action, int64_t now);

}  // namespace schicht::store
