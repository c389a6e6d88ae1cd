#include "cli/events.h"

#include <cstdio>

#include <fmt/format.h>

#include "store/db.h"
#include "store/events.h"

namespace schicht::cli {

void record_image_event(store::Store& store, std::string_view status, const Digest* id,
                        std::string_view name) {
  if (store.db().read_only()) return;
  store::Event event;
  event.time = store::now_ns();
  event.status = std::string(status);
  if (id != nullptr) event.id = std::string(id->hex());
  event.name = std::string(name);
  if (auto problem = store::append_event(store.root(), event)) {
    fmt::print(stderr, "WARN[0000] unable to write image event: {}\n", *problem);
  }
}

void record_removal_events(store::Store& store, const store::RemovalReport& report,
                           const Digest& id, std::string_view referenced_by) {
  for (const auto& name : report.untagged) record_image_event(store, "untag", &id, name);
  record_image_event(store, "remove", &id, referenced_by);
}

}  // namespace schicht::cli
