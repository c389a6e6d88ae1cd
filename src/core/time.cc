#include "core/time.h"

#include <limits>

#include <fmt/format.h>

#include "core/error.h"

namespace schicht {
namespace {

constexpr int64_t kSecondsPerDay = 86'400;
constexpr int64_t kNanosPerSecond = 1'000'000'000;

// Days since 1970-01-01 of a proleptic Gregorian date (the usual era/day-of-era arithmetic).
int64_t days_from_civil(int64_t year, int month, int day) {
  year -= month <= 2 ? 1 : 0;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t year_of_era = year - era * 400;
  const int64_t day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146'097 + day_of_era - 719'468;
}

struct CivilDate {
  int64_t year;
  int month;
  int day;
};

CivilDate civil_from_days(int64_t days) {
  days += 719'468;
  const int64_t era = (days >= 0 ? days : days - 146'096) / 146'097;
  const int64_t day_of_era = days - era * 146'097;
  const int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36'524 - day_of_era / 146'096) / 365;
  const int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int64_t shifted_month = (5 * day_of_year + 2) / 153;
  const int day = static_cast<int>(day_of_year - (153 * shifted_month + 2) / 5 + 1);
  const int month = static_cast<int>(shifted_month < 10 ? shifted_month + 3 : shifted_month - 9);
  return {year_of_era + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

bool is_leap_year(int64_t year) {
  return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

int days_in_month(int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap_year(year) ? 29 : kDays[month - 1];
}

// Reads exactly `count` decimal digits at `pos`; false if any is missing.
bool read_digits(std::string_view text, size_t& pos, size_t count, int& value) {
  if (pos + count > text.size()) return false;
  value = 0;
  for (size_t i = 0; i < count; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  pos += count;
  return true;
}

bool expect(std::string_view text, size_t& pos, char wanted) {
  if (pos >= text.size() || text[pos] != wanted) return false;
  ++pos;
  return true;
}

std::string format_fields(int64_t local_seconds, int32_t nanos, int32_t offset) {
  const int64_t days =
      (local_seconds >= 0 ? local_seconds : local_seconds - (kSecondsPerDay - 1)) / kSecondsPerDay;
  const int64_t second_of_day = local_seconds - days * kSecondsPerDay;
  const CivilDate date = civil_from_days(days);
  std::string out =
      fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", date.year, date.month, date.day,
                  second_of_day / 3600, second_of_day / 60 % 60, second_of_day % 60);
  if (nanos != 0) {
    std::string fraction = fmt::format("{:09}", nanos);
    fraction.erase(fraction.find_last_not_of('0') + 1);
    out += '.';
    out += fraction;
  }
  if (offset == 0) {
    out += 'Z';
  } else {
    const int32_t magnitude = offset < 0 ? -offset : offset;
    out +=
        fmt::format("{}{:02}:{:02}", offset < 0 ? '-' : '+', magnitude / 3600, magnitude / 60 % 60);
  }
  return out;
}

}  // namespace

std::optional<Timestamp> try_parse_rfc3339(std::string_view text) {
  size_t pos = 0;
  int year, month, day, hour, minute, second;
  if (!read_digits(text, pos, 4, year) || !expect(text, pos, '-') ||
      !read_digits(text, pos, 2, month) || !expect(text, pos, '-') ||
      !read_digits(text, pos, 2, day)) {
    return std::nullopt;
  }
  if (pos >= text.size() || (text[pos] != 'T' && text[pos] != 't')) return std::nullopt;
  ++pos;
  if (!read_digits(text, pos, 2, hour) || !expect(text, pos, ':') ||
      !read_digits(text, pos, 2, minute) || !expect(text, pos, ':') ||
      !read_digits(text, pos, 2, second)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour > 23 ||
      minute > 59 || second > 59) {
    return std::nullopt;
  }

  int32_t nanos = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    size_t digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 9) nanos = nanos * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (size_t i = digits; i < 9; ++i) nanos *= 10;
  }

  int32_t offset = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    const bool negative = text[pos] == '-';
    ++pos;
    int offset_hours, offset_minutes;
    if (!read_digits(text, pos, 2, offset_hours) || !expect(text, pos, ':') ||
        !read_digits(text, pos, 2, offset_minutes) || offset_hours > 23 || offset_minutes > 59) {
      return std::nullopt;
    }
    offset = (offset_hours * 3600 + offset_minutes * 60) * (negative ? -1 : 1);
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;

  const int64_t local =
      days_from_civil(year, month, day) * kSecondsPerDay + hour * 3600 + minute * 60 + second;
  return Timestamp{local - offset, nanos, offset};
}

Timestamp parse_rfc3339(std::string_view text) {
  std::optional<Timestamp> parsed = try_parse_rfc3339(text);
  if (!parsed) fail(ErrorKind::kInvalidInput, fmt::format("invalid RFC 3339 time \"{}\"", text));
  return *parsed;
}

int64_t rfc3339_to_unix_nanos(std::string_view text) {
  const Timestamp time = parse_rfc3339(text);
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  // seconds * 1e9 + nanos must stay within int64; nanos is never negative.
  if (time.unix_seconds > (kMax - time.nanos) / kNanosPerSecond ||
      time.unix_seconds < kMin / kNanosPerSecond) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("time \"{}\" is out of range for nanoseconds since 1970", text));
  }
  return time.unix_seconds * kNanosPerSecond + time.nanos;
}

std::string format_rfc3339_nano(int64_t unix_nanos) {
  int64_t seconds = unix_nanos / kNanosPerSecond;
  int64_t nanos = unix_nanos % kNanosPerSecond;
  if (nanos < 0) {
    nanos += kNanosPerSecond;
    seconds -= 1;
  }
  return format_fields(seconds, static_cast<int32_t>(nanos), 0);
}

std::string format_rfc3339_nano(const Timestamp& time) {
  return format_fields(time.unix_seconds + time.utc_offset_seconds, time.nanos,
                       time.utc_offset_seconds);
}

}  // namespace schicht
