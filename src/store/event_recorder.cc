#include "store/event_recorder.h"

#include <cstdio>

#include <fmt/format.h>

#include "core/error.h"
#include "store/containers_conf.h"
#include "store/db.h"
#include "store/events.h"

namespace schicht::store {

namespace {

// containers.conf's event settings, read once, when the first event is written. A file podman
// would refuse does not undo the command that already happened: it is reported, and podman's
// defaults apply.
const EngineConf& engine_conf() {
  static const EngineConf conf = [] {
    try {
      return load_engine_conf();
    } catch (const Error& e) {
      fmt::print(stderr, "WARN[0000] {}; using the default event settings\n", e.what());
      return EngineConf{};
    }
  }();
  return conf;
}

}  // namespace

void record_image_event(Store& store, std::string_view status, const Digest* id,
                        std::string_view name) {
  if (store.db().read_only()) return;
  const EngineConf& conf = engine_conf();
  if (!conf.events_enabled) return;
  Event event;
  event.time = now_ns();
  event.status = std::string(status);
  if (id != nullptr) event.id = std::string(id->hex());
  event.name = std::string(name);
  if (auto problem = append_event(store.root(), event, conf.events_logfile_max_size)) {
    fmt::print(stderr, "WARN[0000] unable to write image event: {}\n", *problem);
  }
}

void record_removal_events(Store& store, const RemovalReport& report, const Digest& id,
                           std::string_view referenced_by) {
  for (const auto& name : report.untagged) record_image_event(store, "untag", &id, name);
  record_image_event(store, "remove", &id, referenced_by);
}

}  // namespace schicht::store
