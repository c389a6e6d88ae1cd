// Recording podman's image events for the commands that cause them (events.h keeps them):
// containers.conf's event settings applied. An event that cannot be written costs a warning on
// stderr, never the command; a read-only store records none.
#pragma once

#include <string_view>

#include "core/digest.h"
#include "store/store.h"

namespace schicht::store {

// `id` may be null (pull and loadfromarchive events carry only a name, as in podman).
void record_image_event(Store& store, std::string_view status, const Digest* id,
                        std::string_view name);

// What podman records for a removed image: untag for each name it had, then remove, named by
// what the user named it with (rmi) or not at all (rmi --all, prune).
void record_removal_events(Store& store, const RemovalReport& report, const Digest& id,
                           std::string_view referenced_by = "");

}  // namespace schicht::store
