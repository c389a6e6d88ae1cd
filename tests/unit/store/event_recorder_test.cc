// Recording image events as the commands do: containers.conf's settings applied, podman's
// untag-then-remove order for a removed image, nothing written to a read-only store.
#include "store/event_recorder.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <string>
#include <vector>

#include "core/fs.h"
#include "store/events.h"
#include "store_test_util.h"

namespace schicht::store {
namespace {

class EventRecorderTest : public test::StoreTest {
 protected:
  static void SetUpTestSuite() {
    // The recorder reads containers.conf once per process: an empty one, podman's defaults.
    static TempDir conf_dir(temp_root(), "schicht-event-recorder-conf");
    fs::path conf = conf_dir.path() / "containers.conf";
    write_file_atomic(conf, "");
    setenv("CONTAINERS_CONF", conf.c_str(), 1);
  }

  std::vector<Event> recorded() {
    EventCursor cursor;
    return read_events(store_.root(), cursor);
  }
};

TEST_F(EventRecorderTest, AnEventCarriesItsStatusIdAndName) {
  Digest id = Digest::sha256_of("image");
  record_image_event(store_, "tag", &id, "localhost/a:1");
  record_image_event(store_, "pull", nullptr, "docker.io/library/a:1");
  std::vector<Event> events = recorded();
  ASSERT_EQ(events.size(), 2U);
  EXPECT_EQ(events[0].status, "tag");
  EXPECT_EQ(events[0].id, id.hex());
  EXPECT_EQ(events[0].name, "localhost/a:1");
  EXPECT_EQ(events[0].type, "image");
  EXPECT_EQ(events[1].status, "pull");
  EXPECT_EQ(events[1].id, "");
}

TEST_F(EventRecorderTest, ARemovedImageIsUntaggedByEachNameThenRemoved) {
  Digest id = Digest::sha256_of("image");
  RemovalReport report;
  report.untagged = {"localhost/a:1", "localhost/a:2"};
  record_removal_events(store_, report, id, "a:1");
  std::vector<Event> events = recorded();
  ASSERT_EQ(events.size(), 3U);
  EXPECT_EQ(events[0].status, "untag");
  EXPECT_EQ(events[0].name, "localhost/a:1");
  EXPECT_EQ(events[1].status, "untag");
  EXPECT_EQ(events[1].name, "localhost/a:2");
  EXPECT_EQ(events[2].status, "remove");
  EXPECT_EQ(events[2].name, "a:1");
}

TEST_F(EventRecorderTest, AReadOnlyStoreRecordsNothing) {
  {
    Store read_only(store_.root(), Store::ReadOnly{});
    record_image_event(read_only, "tag", nullptr, "localhost/a:1");
  }
  EXPECT_TRUE(recorded().empty());
}

}  // namespace
}  // namespace schicht::store
