// The event log: podman's rotation (the newer half kept, a log-rotation event), rotation beside
// concurrent writers, and readers that follow the log across a rotation.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <thread>
#include <vector>

#include "core/fs.h"
#include "store/events.h"

namespace schicht::store {
namespace {

Event tag_event(int n) {
  Event e;
  e.time = 1'700'000'000'000'000'000 + n;
  e.status = "tag";
  e.id = std::string(64, 'a');
  e.name = "localhost/a:" + std::to_string(n);
  return e;
}

std::vector<std::string> lines_of(const fs::path& file) {
  std::vector<std::string> out;
  std::string text = read_file(file);
  size_t start = 0;
  for (size_t end = text.find('\n'); end != std::string::npos; end = text.find('\n', start)) {
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  EXPECT_EQ(start, text.size()) << "the log ends in a torn line";
  return out;
}

TEST(EventLog, WithoutALimitTheLogOnlyGrows) {
  TempDir dir(temp_root(), "schicht-events-test");
  for (int i = 0; i < 50; ++i) ASSERT_EQ(append_event(dir.path(), tag_event(i), 0), std::nullopt);
  EXPECT_EQ(lines_of(events_path(dir.path())).size(), 50U);
}

TEST(EventLog, RotationKeepsTheNewerHalfThenSaysSo) {
  TempDir dir(temp_root(), "schicht-events-test");
  const size_t line = event_json(tag_event(10)).size() + 1;
  const uint64_t limit = line * 10 + line / 2;  // room for ten events and a half
  for (int i = 10; i < 20; ++i)
    ASSERT_EQ(append_event(dir.path(), tag_event(i), limit), std::nullopt);
  ASSERT_EQ(lines_of(events_path(dir.path())).size(), 10U);
  ASSERT_EQ(append_event(dir.path(), tag_event(20), limit), std::nullopt);

  std::vector<std::string> lines = lines_of(events_path(dir.path()));
  // The middle falls at the start of event 15; the line it falls in is dropped, as podman does.
  ASSERT_EQ(lines.size(), 6U);
  EXPECT_EQ(lines[0], event_json(tag_event(16)));
  EXPECT_EQ(lines[3], event_json(tag_event(19)));
  EXPECT_NE(lines[4].find(R"("Status":"log-rotation")"), std::string::npos) << lines[4];
  EXPECT_NE(lines[4].find(R"("Type":"system")"), std::string::npos) << lines[4];
  EXPECT_NE(lines[4].find(events_path(dir.path()).string()), std::string::npos) << lines[4];
  EXPECT_EQ(lines[5], event_json(tag_event(20)));
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    EXPECT_EQ(entry.path().filename(), "events.log") << "a rotation left " << entry.path();
  }
}

TEST(EventLog, ReadersFollowTheLogAcrossARotation) {
  TempDir dir(temp_root(), "schicht-events-test");
  const uint64_t limit = (event_json(tag_event(0)).size() + 1) * 8;
  for (int i = 0; i < 6; ++i) append_event(dir.path(), tag_event(i), limit);
  EventCursor cursor;
  ASSERT_EQ(read_events(dir.path(), cursor).size(), 6U);
  // 8 rotates once: 5, 6 and 7 are kept, 5 was read already.
  for (int i = 6; i < 10; ++i) append_event(dir.path(), tag_event(i), limit);
  std::vector<std::string> seen;
  for (const auto& e : read_events(dir.path(), cursor)) seen.push_back(e.status + " " + e.name);
  // Every event written since, once, and the rotation; nothing read before comes again.
  std::vector<std::string> want;
  for (int i = 6; i < 10; ++i) want.push_back("tag localhost/a:" + std::to_string(i));
  std::vector<std::string> tags;
  for (const auto& s : seen) {
    if (s.rfind("tag ", 0) == 0) tags.push_back(s);
  }
  EXPECT_EQ(tags, want);
  EXPECT_EQ(seen.size(), want.size() + 1);  // one log-rotation
  EXPECT_TRUE(read_events(dir.path(), cursor).empty());
}

TEST(EventLog, ConcurrentWritersLoseNoEventToARotation) {
  TempDir dir(temp_root(), "schicht-events-test");
  const uint64_t line = event_json(tag_event(0)).size() + 1;
  const uint64_t limit = line * 40;
  constexpr int kThreads = 4, kEach = 200;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) append_event(dir.path(), tag_event(t * 1000 + i), limit);
    });
  }
  for (auto& thread : threads) thread.join();
  std::vector<std::string> lines = lines_of(events_path(dir.path()));
  EXPECT_LE(lines.size() * line, limit + line);
  // The log is always a run of the newest appends: each writer's events in it are consecutive
  // (an event appended to a log already replaced would leave a gap), and the last line is the
  // last append of all, some writer's last event.
  EventCursor cursor;
  std::vector<Event> events = read_events(dir.path(), cursor);
  EXPECT_EQ(events.size(), lines.size()) << "a line is not whole";
  std::map<int, int> last_of;  // writer -> last event number seen
  for (const Event& e : events) {
    if (e.status != "tag") continue;
    const int n = std::stoi(e.name.substr(e.name.find(':') + 1));
    auto [it, first] = last_of.try_emplace(n / 1000, n);
    if (!first) {
      EXPECT_EQ(n, it->second + 1) << "an event of writer " << n / 1000 << " is missing";
      it->second = n;
    }
  }
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().status, "tag");
  EXPECT_EQ(events.back().time % 1000, kEach - 1);
}

}  // namespace
}  // namespace schicht::store
