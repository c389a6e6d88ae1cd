// The store's event log, <root>/events.log: podman's image events (pull, push, save,
// loadfromarchive, tag, untag, remove), one JSON line each, written as podman's file event
// logger writes them ({"ID":...,"Name":...,"Status":...,"Time":...,"Type":"image",
// "Attributes":null}).
//
// Why a file and not a table: an event must never make a command fail or wait. Each event is
// one write() of one whole line to a file opened O_APPEND, so concurrent writers never
// interleave within a line and never take the database's write lock; no fsync, because events
// are a report, not state: a crash may lose the last events or leave a torn last line, which
// the reader skips. A log that cannot be written (read-only store, full disk) loses the event
// and the command goes on (append_event says why, the caller warns).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/fs.h"

namespace schicht::store {

struct Event {
  int64_t time = 0;  // unix ns
  std::string type = "image";
  std::string status;
  std::string id;    // image ID hex, may be empty
  std::string name;  // may be empty
};

fs::path events_path(const fs::path& root);

// Appends `event` to the root's log. Never throws: returns why it could not, or nullopt.
std::optional<std::string> append_event(const fs::path& root, const Event& event) noexcept;

// The events written from byte `offset` on, oldest first; `offset` moves past the last whole
// line read (a line still being written is left for the next call). Lines that are not an
// event (torn by a crash) are skipped. No log: no events.
std::vector<Event> read_events(const fs::path& root, uint64_t& offset);

// One event as its log line (without the newline): podman's JSON of it.
std::string event_json(const Event& event);

}  // namespace schicht::store
