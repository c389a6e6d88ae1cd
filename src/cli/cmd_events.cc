// events: podman's image events from the store's log (store/events.h), listed or followed.
#include <time.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>
#include <thread>

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/report.h"
#include "core/error.h"
#include "core/time.h"
#include "gotemplate/template.h"
#include "store/containers_conf.h"
#include "store/events.h"

namespace schicht::cli {

using nlohmann::ordered_json;

namespace {

constexpr int64_t kSecond = 1'000'000'000;

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
int64_t parse_input_time(const std::string& text, bool since, std::string_view flag) {
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
  if (auto d = parse_go_duration(text)) return since ? store::now_ns() - *d : store::now_ns() + *d;
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

// podman's event filters: the same key given twice matches either value; different keys must
// all match. Keys are podman's, case-insensitive; those for other kinds of events (container,
// pod, volume, network, label) never match an image event.
class EventFilter {
 public:
  explicit EventFilter(const std::vector<std::string>& filters) {
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

  bool matches(const store::Event& e) const {
    for (const auto& [key, values] : by_key_) {
      bool any = false;
      for (const auto& v : values) any |= matches(key, v, e);
      if (!any) return false;
    }
    return true;
  }

 private:
  static bool matches(const std::string& key, const std::string& value, const store::Event& e) {
    if (key == "event") return e.status == value;
    if (key == "type") return e.type == value;
    if (key == "image") {
      return e.type == "image" && (e.name == value || (!value.empty() && e.id.starts_with(value)));
    }
    return false;
  }

  std::map<std::string, std::vector<std::string>> by_key_;
};

// The event as podman's templates see it (*events.Event).
ordered_json template_view(const store::Event& e) {
  ordered_json details;
  details["ID"] = "";
  details["PodID"] = "";
  details["Attributes"] = nullptr;
  ordered_json v;
  v["ContainerExitCode"] = 0;
  v["ID"] = e.id;
  v["Image"] = "";
  v["Name"] = e.name;
  v["Network"] = "";
  v["Status"] = e.status;
  v["Time"] = go_time(e.time);
  v["Type"] = e.type;
  v["HealthStatus"] = "";
  v["Details"] = details;
  v["Attributes"] = nullptr;
  return v;
}

const GoTypes& event_types() {
  static const GoTypes kTypes = {{"", "*events.Event"},
                                 {"Details", "events.Details"},
                                 {"Details.Attributes", "map[string]string"},
                                 {"Attributes", "map[string]string"}};
  return kTypes;
}

}  // namespace

int cmd_events(Context& ctx, EventsOptions& parsed, Invocation& invocation) {
  auto& [filters, format, since, until, no_trunc, stream] = parsed;
  auto& positional = invocation.positional;
  if (!positional.empty()) fail(ErrorKind::kInvalidInput, "`schicht events` takes no arguments");
  EventFilter filter(filters);
  std::optional<int64_t> since_ns, until_ns;
  if (!since.empty()) since_ns = parse_input_time(since, true, "since");
  if (!until.empty()) until_ns = parse_input_time(until, false, "until");
  bool json = is_json_format(format);
  std::optional<Template> tmpl;
  if (!format.empty() && !json) tmpl = parse_object_format(format, "events");

  if (!store::load_engine_conf().events_enabled) {
    fail(ErrorKind::kInvalidInput, "cannot read events with the \"none\" backend");
  }
  store::Store& store = ctx.store();
  auto print = [&](const store::Event& e) {
    if (since_ns && e.time < *since_ns) return;
    if (until_ns && e.time > *until_ns) return;
    if (!filter.matches(e)) return;
    std::string out;
    if (json) {
      out = store::event_json(e) + "\n";
    } else if (tmpl) {
      try {
        tmpl->execute(out, template_view(e), event_types());
      } catch (const Error&) {
        fmt::print("{}", out);
        throw;
      }
    } else {
      std::string id = !no_trunc && e.id.size() > 12 ? e.id.substr(0, 12) : e.id;
      if (e.type == "system") {  // log-rotation: no ID, the log's path as the name
        out = fmt::format("{} {} {} {}\n", go_time(e.time), e.type, e.status, e.name);
      } else {
        out = fmt::format("{} {} {} {} {}\n", go_time(e.time), e.type, e.status, id, e.name);
      }
    }
    fmt::print("{}", out);
  };
  store::EventCursor cursor;
  for (const auto& e : store::read_events(store.root(), cursor)) print(e);
  if (!stream) return 0;
  // Following: new lines as they are appended, until --until has passed.
  while (!until_ns || store::now_ns() <= *until_ns) {
    std::fflush(stdout);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    for (const auto& e : store::read_events(store.root(), cursor)) print(e);
  }
  return 0;
}

}  // namespace schicht::cli
