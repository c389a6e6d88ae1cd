// What `events` reads from the log (events.h) and how it names times, as podman 4.3 does:
// --filter (EventFilter), --since and --until (parse_event_time), and Go's time.Time text.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/events.h"

namespace schicht::store {

// Go's time.ParseDuration: "300ms", "-1.5h", "2h45m"; nullopt when it is none.
std::optional<int64_t> parse_go_duration(std::string_view s);

// podman's util.ParseInputTime: a timestamp (RFC 3339, with or without zone, a date), unix
// seconds, or a duration before now (`since`) or after it; unix ns. kInvalidInput naming
// --`flag` otherwise.
int64_t parse_event_time(const std::string& text, bool since, std::string_view flag);

// Go's time.Time String() in UTC: "2026-12-06 18:19:33.764310194 +0000 UTC".
std::string go_time(int64_t ns);

// podman's event filters: the same key given twice matches either value; different keys must
// all match. Keys are podman's, case-insensitive; those for other kinds of events (container,
// pod, volume, network, label) never match an image event.
class EventFilter {
 public:
  explicit EventFilter(const std::vector<std::string>& filters);
  bool matches(const Event& e) const;

 private:
  static bool matches(const std::string& key, const std::string& value, const Event& e);

  std::map<std::string, std::vector<std::string>> by_key_;
};

}  // namespace schicht::store
