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
//
// Rotation, as podman's file logger does it: an event that would make the log larger than
// max_size (containers.conf's events_logfile_max_size) first replaces the log by its newer half
// (from the first whole line past the middle), followed by a "system log-rotation" event naming
// the log. Writers of a log with a limit hold an exclusive flock on it while they append or
// rotate, and one that finds the log replaced meanwhile (another inode at its path) appends to
// the new one, so rotation loses no event. The new log is written beside the old one and
// renamed over it: a reader sees one or the other, whole.
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

// Appends `event` to the root's log, rotating it first when it would outgrow `max_size` (0: no
// limit). Never throws: returns why it could not, or nullopt.
std::optional<std::string> append_event(const fs::path& root, const Event& event,
                                        uint64_t max_size) noexcept;

// Where a reader of the log is: the next byte to read, the last line it read (a log whose bytes
// before `offset` are another line was rotated: inodes are reused, so they cannot tell), and the
// time of the last event it returned.
struct EventCursor {
  uint64_t offset = 0;
  std::string last_line;  // with its newline; empty before the first line
  int64_t last_time = 0;
};

// The events written since `cursor`, oldest first; the cursor moves past the last whole line
// read (a line still being written is left for the next call). Lines that are not an event
// (torn by a crash) are skipped. No log: no events. When the log was rotated since the last
// call, the new log is read from its start and the events of its kept half that the reader
// already returned (not newer than cursor.last_time) are skipped.
std::vector<Event> read_events(const fs::path& root, EventCursor& cursor);

// One event as its log line (without the newline): podman's JSON of it.
std::string event_json(const Event& event);

}  // namespace schicht::store
