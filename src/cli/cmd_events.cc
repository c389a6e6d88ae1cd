// events: podman's image events from the store's log (store/events.h), listed or followed.

#include <cstdio>
#include <map>
#include <thread>

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/render.h"
#include "core/error.h"
#include "gotemplate/template.h"
#include "store/containers_conf.h"
#include "store/event_query.h"
#include "store/events.h"

namespace schicht::cli {

using nlohmann::ordered_json;

namespace {

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
  v["Time"] = store::go_time(e.time);
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

// One event as podman prints it: JSON, through the template, or its line.
void print_event(const store::Event& e, bool json, Template* tmpl, bool no_trunc) {
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
      out = fmt::format("{} {} {} {}\n", store::go_time(e.time), e.type, e.status, e.name);
    } else {
      out = fmt::format("{} {} {} {} {}\n", store::go_time(e.time), e.type, e.status, id, e.name);
    }
  }
  fmt::print("{}", out);
}

}  // namespace

int cmd_events(Context& ctx, EventsOptions& parsed, Invocation& invocation) {
  auto& [filters, format, since, until, no_trunc, stream] = parsed;
  auto& positional = invocation.positional;
  if (!positional.empty()) fail(ErrorKind::kInvalidInput, "`schicht events` takes no arguments");
  store::EventFilter filter(filters);
  std::optional<int64_t> since_ns, until_ns;
  if (!since.empty()) since_ns = store::parse_event_time(since, true, "since");
  if (!until.empty()) until_ns = store::parse_event_time(until, false, "until");
  bool json = is_json_format(format);
  std::optional<Template> tmpl;
  if (!format.empty() && !json) tmpl = parse_object_format(format, "events");

  if (!store::load_engine_conf().events_enabled) {
    fail(ErrorKind::kInvalidInput, "cannot read events with the \"none\" backend");
  }
  store::Store& store = ctx.store();
  // An init-capture: clang 14 cannot capture a structured binding.
  auto print = [&, no_trunc = no_trunc](const store::Event& e) {
    if (since_ns && e.time < *since_ns) return;
    if (until_ns && e.time > *until_ns) return;
    if (!filter.matches(e)) return;
    print_event(e, json, tmpl ? &*tmpl : nullptr, no_trunc);
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
