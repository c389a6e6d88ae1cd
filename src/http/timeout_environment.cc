#include "http/timeout_environment.h"

#include <cerrno>
#include <cstdlib>
#include <optional>

#include <fmt/format.h>

#include "core/error.h"

namespace schicht::http {
namespace {

// The variable's value as a non-negative integer of at most `max`; nullopt when unset.
std::optional<long> read_number(const char* name, long min, long max, std::string_view unit) {
  const char* env = std::getenv(name);
  if (env == nullptr || *env == '\0') return std::nullopt;
  char* end = nullptr;
  errno = 0;
  long value = std::strtol(env, &end, 10);
  if (*end != '\0' || errno != 0 || value < min || value > max) {
    fail(ErrorKind::kInvalidInput, fmt::format("{}={:?}: expected a number of {}{}", name, env,
                                               unit, min > 0 ? "" : " (0: no limit)"));
  }
  return value;
}

}  // namespace

void apply_timeout_environment(HttpOptions& http) {
  constexpr long kDay = 86400;
  if (auto s = read_number("SCHICHT_CONNECT_TIMEOUT", 1, kDay, "seconds")) {
    http.connect_timeout = std::chrono::seconds(*s);
  }
  if (auto s = read_number("SCHICHT_STALL_TIMEOUT", 1, kDay, "seconds")) {
    http.low_speed_time = std::chrono::seconds(*s);
  }
  if (auto speed = read_number("SCHICHT_STALL_SPEED", 0, long{1} << 30, "bytes per second")) {
    http.low_speed_bytes_per_second = static_cast<uint32_t>(*speed);
  }
  if (auto s = read_number("SCHICHT_TOTAL_TIMEOUT", 0, kDay * 30, "seconds")) {
    http.total_timeout = std::chrono::seconds(*s);
  }
}

}  // namespace schicht::http
