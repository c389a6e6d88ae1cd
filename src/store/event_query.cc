#include "store/event_query.h"

#include <time.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "core/error.h"
#include "core/time.h"
#include "store/store.h"

namespace schicht::store {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

}  // namespace

// Go's time.ParseDuration: "300ms", "-1.5h", "2h45m"; nullopt when it is none.
std::optional<int64_t> parse_go_duration(std::string_view s) {
  static const std::map<std::string_view, double> kUnits = {
      {"ns", 1},   {"us", 1e3}, {"\xc2\xb5s", 1e3}, {"\xce\xbcs", 1e3},
      {"ms", 1e6}, {"s", 1e9},  {"m", 60e9},        {"h", 3600e9}};
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return 0;
  if (s.empty()) return std::nullopt;
  double total = 0;
  while (!s.empty()) {
    size_t digits = 0;
    while (digits < s.size() && ((s[digits] >= '0' && s[digits] <= '9') || s[digits] == '.')) {
      ++digits;
    }
    if (digits == 0) return std::nullopt;
    double value = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + digits, value);
    if (ec != std::errc() || end != s.data() + digits) return std::nullopt;
    s.remove_prefix(digits);
    size_t unit_len = 0;
    while (unit_len < s.size() && !(s[unit_len] >= '0' && s[unit_len] <= '9') &&
           s[unit_len] != '.') {
      ++unit_len;
    }
    auto unit = kUnits.find(s.substr(0, unit_len));
    if (unit == kUnits.end()) return std::nullopt;
    total += value * unit->second;
    s.remove_prefix(unit_len);
  }
  if (total > 9.2e18) return std::nullopt;
  return static_cast<int64_t>(negative ? -total : total);
}

// podman's util.ParseInputTime: a timestamp (RFC 3339, with or without zone, a date), unix
// seconds, or a duration before now (--since) or after it (--until).
int64_t parse_event_time(const std::string& text, bool since, std::string_view flag) {
  if (auto t = try_parse_rfc3339(text)) return t->unix_seconds * kSecond + t->nanos;
  for (const char* suffix : {"Z", "T00:00:00Z"}) {
    if (auto t = try_parse_rfc3339(text + suffix)) return t->unix_seconds * kSecond + t->nanos;
  }
  double seconds = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec == std::errc() && end == text.data() + text.size() && std::isfinite(seconds) &&
      std::fabs(seconds) < 9.2e9) {
    return static_cast<int64_t>(seconds) * kSecond;
  }
  if (auto d = parse_go_duration(text)) return since ? now_ns() - *d : now_ns() + *d;
  fail(ErrorKind::kInvalidInput,
       fmt::format("unable to interpret time value {:?} for --{}", text, flag));
}

// Go's time.Time String() in UTC: "2026-12-06 18:19:33.764310194 +0000 UTC".
std::string go_time(int64_t ns) {
  time_t secs = static_cast<time_t>(ns >= 0 ? ns / kSecond : (ns - kSecond + 1) / kSecond);
  int64_t frac = ns - static_cast<int64_t>(secs) * kSecond;
  struct tm tm {};
  ::gmtime_r(&secs, &tm);
  std::string out = fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", tm.tm_year + 1900,
                                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  if (frac != 0) {
    std::string digits = fmt::format("{:09}", frac);
    while (digits.back() == '0') digits.pop_back();
    out += "." + digits;
  }
  return out + " +0000 UTC";
}

EventFilter::EventFilter(const std::vector<std::string>& filters) {
  static const std::set<std::string, std::less<>> kKeys = {
      "container", "event", "status", "image", "type", "pod", "volume", "network", "label"};
  for (const auto& f : filters) {
    size_t eq = f.find('=');
    if (eq == std::string::npos) {
      fail(ErrorKind::kInvalidInput, fmt::format("{} is an invalid filter", f));
    }
    std::string key = f.substr(0, eq);
    for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!kKeys.contains(key)) {
      fail(ErrorKind::kInvalidInput, fmt::format("{} is an invalid filter", f.substr(0, eq)));
    }
    if (key == "status") key = "event";
    by_key_[key].push_back(f.substr(eq + 1));
  }
}

bool EventFilter::matches(const Event& e) const {
  for (const auto& [key, values] : by_key_) {
    bool any = false;
    for (const auto& v : values) any |= matches(key, v, e);
    if (!any) return false;
  }
  return true;
}

bool EventFilter::matches(const std::string& key, const std::string& value, const Event& e) {
  if (key == "event") return e.status == value;
  if (key == "type") return e.type == value;
  if (key == "image") {
    return e.type == "image" && (e.name == value || (!value.empty() && e.id.starts_with(value)));
  }
  return false;
}

}  // namespace schicht::store
