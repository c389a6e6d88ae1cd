#include "containers/mounts.h"

#include <gtest/gtest.h>

namespace schicht::containers {
namespace {

TEST(Mountinfo, DecodesTheKernelsOctalEscapes) {
  EXPECT_EQ(unescape_mountinfo("/var/lib/my\\040store/mounts"), "/var/lib/my store/mounts");
  EXPECT_EQ(unescape_mountinfo("a\\011b\\012c\\134d"), "a\tb\nc\\d");
  // Not an escape: left as it is.
  EXPECT_EQ(unescape_mountinfo("a\\09"), "a\\09");
  EXPECT_EQ(unescape_mountinfo("end\\04"), "end\\04");
  EXPECT_EQ(unescape_mountinfo("/snap//deleted"), "/snap//deleted");
}

TEST(Mountinfo, FindsTheRootMount) {
  bool found = false;
  for (const auto& entry : read_mountinfo()) found = found || entry.mount_point == "/";
  EXPECT_TRUE(found);
  EXPECT_TRUE(is_mounted("/"));
}

}  // namespace
}  // namespace schicht::containers
