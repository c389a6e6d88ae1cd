// events' --filter, --since/--until and Go's time text, as podman reads and writes them.
#include "store/event_query.h"

#include <gtest/gtest.h>

#include "error_of.h"
#include "store/store.h"

namespace schicht::store {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

Event image_event(const std::string& status, const std::string& id, const std::string& name) {
  Event e;
  e.type = "image";
  e.status = status;
  e.id = id;
  e.name = name;
  return e;
}

TEST(EventQueryTest, GoDurations) {
  EXPECT_EQ(parse_go_duration("300ms"), 300'000'000);
  EXPECT_EQ(parse_go_duration("-1.5h"), -5400 * kSecond);
  EXPECT_EQ(parse_go_duration("2h45m"), (2 * 3600 + 45 * 60) * kSecond);
  EXPECT_EQ(parse_go_duration("0"), 0);
  EXPECT_FALSE(parse_go_duration("5"));
  EXPECT_FALSE(parse_go_duration("1d"));
  EXPECT_FALSE(parse_go_duration(""));
}

TEST(EventQueryTest, InputTimes) {
  EXPECT_EQ(parse_event_time("2026-01-02T03:04:05Z", true, "since"), 1767323045 * kSecond);
  EXPECT_EQ(parse_event_time("2026-01-02", true, "since"), 1767312000 * kSecond);
  EXPECT_EQ(parse_event_time("1767312000", false, "until"), 1767312000 * kSecond);
  int64_t before = now_ns();
  int64_t since = parse_event_time("1h", true, "since");
  EXPECT_LE(since, before - 3600 * kSecond + kSecond);
  EXPECT_EQ(error_of(ErrorKind::kInvalidInput, [] { parse_event_time("soon", false, "until"); }),
            "unable to interpret time value \"soon\" for --until");
}

TEST(EventQueryTest, GoTimeText) {
  EXPECT_EQ(go_time(1767323045 * kSecond + 764310194), "2026-01-02 03:04:05.764310194 +0000 UTC");
  EXPECT_EQ(go_time(1767323045 * kSecond + 500'000'000), "2026-01-02 03:04:05.5 +0000 UTC");
  EXPECT_EQ(go_time(0), "1970-01-01 00:00:00 +0000 UTC");
}

TEST(EventQueryTest, FiltersOfOneKeyOrAndOfKeysAnd) {
  Event pull = image_event("pull", "abcdef", "quay.io/a:1");
  Event tag = image_event("tag", "123456", "quay.io/b:1");
  EventFilter either({"event=pull", "Status=tag"});
  EXPECT_TRUE(either.matches(pull));
  EXPECT_TRUE(either.matches(tag));
  EventFilter both({"event=pull", "image=abc"});
  EXPECT_TRUE(both.matches(pull));
  EXPECT_FALSE(both.matches(tag));
  EXPECT_FALSE(EventFilter({"container=x"}).matches(pull));
  EXPECT_EQ(error_of(ErrorKind::kInvalidInput, [] { EventFilter({"nokey"}); }),
            "nokey is an invalid filter");
  EXPECT_EQ(error_of(ErrorKind::kInvalidInput, [] { EventFilter({"colour=red"}); }),
            "colour is an invalid filter");
}

}  // namespace
}  // namespace schicht::store
