// Internal to store/: moving names inside an open transaction, with the tag log row.
#pragma once

#include <string>
#include <string_view>

#include "core/digest.h"

namespace schicht::store {

class Db;

// Points `name` at `id` and records the move; nothing when it already points there.
void move_name(Db& db, const Digest& id, const std::string& name, std::string_view action,
               int64_t now);
// Removes `name` and records it; false when no image has it.
bool drop_name(Db& db, const std::string& name, std::string_view action, int64_t now);

}  // namespace schicht::store
