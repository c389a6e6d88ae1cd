// RFC 3339 timestamps as image configs carry them, converted to and from unix time.
//
// Formatting follows Go's time.RFC3339Nano as encoding/json writes a time.Time (what podman and
// containers/image write): fractional seconds with trailing zeros trimmed and no fraction at all
// when it is zero; "Z" for a zero offset, "+hh:mm" / "-hh:mm" otherwise.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace schicht {

// A parsed RFC 3339 time: an instant and the UTC offset it was written with. Seconds rather than
// nanoseconds so that Go's zero time (0001-01-01T00:00:00Z, seen in real configs) fits.
struct Timestamp {
  int64_t unix_seconds = 0;
  int32_t nanos = 0;  // [0, 999'999'999]
  int32_t utc_offset_seconds = 0;

  bool operator==(const Timestamp&) const = default;
};

// Parses "YYYY-MM-DDThh:mm:ss[.fraction](Z|+hh:mm|-hh:mm)". Like Go, accepts any number of
// fraction digits (beyond nine they are truncated) and rejects leap second 60. "t" and "z" are
// accepted in lower case as RFC 3339 allows. Throws kInvalidInput.
Timestamp parse_rfc3339(std::string_view text);
std::optional<Timestamp> try_parse_rfc3339(std::string_view text);

// Nanoseconds since the unix epoch. kInvalidInput also when the instant does not fit in int64
// (before 1677-09-21 or after 2262-04-11).
int64_t rfc3339_to_unix_nanos(std::string_view text);

// Go's RFC3339Nano in UTC, e.g. "2024-01-02T03:04:05.123456789Z", "2024-01-02T03:04:05.1Z".
std::string format_rfc3339_nano(int64_t unix_nanos);

// Go's RFC3339Nano in the timestamp's own offset: what Go writes when it re-marshals a time it
// parsed. Years outside 0000..9999 (reachable only through an offset) are written with more
// or fewer digits; Go refuses to marshal those at all.
std::string format_rfc3339_nano(const Timestamp& time);

}  // namespace schicht
