#include "render/humanize.h"

#include <array>
#include <charconv>
#include <map>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "core/error.h"
#include "core/time.h"

namespace schicht::render {

namespace {

std::string decimal_size(uint64_t bytes, int precision, std::string_view separator) {
  static constexpr std::array<const char*, 9> kUnits = {"B",  "kB", "MB", "GB", "TB",
                                                        "PB", "EB", "ZB", "YB"};
  double size = static_cast<double>(bytes);
  size_t unit = 0;
  while (size >= 1000.0 && unit + 1 < kUnits.size()) {
    size /= 1000.0;
    ++unit;
  }
  // printf's %.*g, as Go's units.HumanSizeWithPrecision prints (999.9 kB is "1e+03 kB" there
  // too); std::to_chars runs it without a format string, and `images` prints one per row.
  std::array<char, 32> digits;
  auto [end, error] = std::to_chars(digits.data(), digits.data() + digits.size(), size,
                                    std::chars_format::general, precision);
  std::string text(digits.data(), error == std::errc() ? end : digits.data());
  text += separator;
  text += kUnits[unit];
  return text;
}

}  // namespace

std::string human_size(uint64_t bytes) {
  return decimal_size(bytes, 3, " ");
}

std::string human_size_compact(uint64_t bytes) {
  return decimal_size(bytes, 4, "");
}

std::string human_age(int64_t then_ns, int64_t now_ns) {
  return human_duration(then_ns, now_ns) + " ago";
}

std::string human_duration(int64_t then_ns, int64_t now_ns) {
  double seconds = static_cast<double>(now_ns - then_ns) / 1e9;
  auto s = static_cast<int64_t>(seconds);
  std::string text;
  if (s < 1) {
    text = "Less than a second";
  } else if (s == 1) {
    text = "1 second";
  } else if (s < 60) {
    text = fmt::format("{} seconds", s);
  } else if (int64_t minutes = s / 60; minutes == 1) {
    text = "About a minute";
  } else if (minutes < 60) {
    text = fmt::format("{} minutes", minutes);
  } else if (auto hours = static_cast<int64_t>(seconds / 3600 + 0.5); hours == 1) {
    text = "About an hour";
  } else if (hours < 48) {
    text = fmt::format("{} hours", hours);
  } else if (hours < 24 * 7 * 2) {
    text = fmt::format("{} days", hours / 24);
  } else if (hours < 24 * 30 * 2) {
    text = fmt::format("{} weeks", hours / 24 / 7);
  } else if (hours < 24 * 365 * 2) {
    text = fmt::format("{} months", hours / 24 / 30);
  } else {
    text = fmt::format("{} years", static_cast<int64_t>(seconds / 3600 / 24 / 365));
  }
  return text;
}

uint64_t parse_byte_size(const std::string& text) {
  size_t end = 0;
  double value = 0;
  try {
    value = std::stod(text, &end);
  } catch (const std::exception&) {
    fail(ErrorKind::kInvalidInput, fmt::format("invalid size {:?}", text));
  }
  std::string unit = text.substr(end);
  for (auto& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static const std::map<std::string, double> kUnits = {{"", 1},
                                                       {"b", 1},
                                                       {"k", 1e3},
                                                       {"kb", 1e3},
                                                       {"m", 1e6},
                                                       {"mb", 1e6},
                                                       {"g", 1e9},
                                                       {"gb", 1e9},
                                                       {"t", 1e12},
                                                       {"tb", 1e12},
                                                       {"kib", 1024.0},
                                                       {"mib", 1048576.0},
                                                       {"gib", 1073741824.0},
                                                       {"tib", 1099511627776.0}};
  auto it = kUnits.find(unit);
  // Negative, NaN, infinite and sizes past 2^63 bytes (a store's sizes are int64) are refused:
  // converting them to an integer is undefined.
  double bytes = it == kUnits.end() ? 0 : value * it->second;
  if (it == kUnits.end() || !(value >= 0) || !(bytes < 0x1p63)) {
    fail(ErrorKind::kInvalidInput, fmt::format("invalid size {:?}", text));
  }
  return static_cast<uint64_t>(bytes);
}

std::string go_time_string(int64_t ns) {
  std::string rfc = format_rfc3339_nano((ns / 1'000'000'000) * 1'000'000'000);
  return rfc.substr(0, 10) + " " + rfc.substr(11, 8) + " +0000 UTC";
}

}  // namespace schicht::render
