// to_container(): host owners as RUN's user namespace shows them (id_map.h).
#include "build/id_map.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace schicht::build {
namespace {

TEST(IdMap, CallerIsRootAndSubordinateIdsFollowInOrder) {
  std::vector<IdRange> ranges{{0, 1000, 1}, {1, 200000, 65536}, {65537, 400000, 10}};
  EXPECT_EQ(to_container(ranges, 1000), 0u);
  EXPECT_EQ(to_container(ranges, 200000), 1u);
  EXPECT_EQ(to_container(ranges, 200999), 1000u);
  EXPECT_EQ(to_container(ranges, 265535), 65536u);
  EXPECT_EQ(to_container(ranges, 400003), 65540u);
}

TEST(IdMap, UnmappedIdsStayAsTheyAre) {
  std::vector<IdRange> ranges{{0, 1000, 1}, {1, 200000, 10}};
  EXPECT_EQ(to_container(ranges, 0), 0u);
  EXPECT_EQ(to_container(ranges, 200010), 200010u);
  EXPECT_EQ(to_container(ranges, 999), 999u);
}

TEST(IdMap, RootHasNoRootlessMapping) {
  if (::geteuid() != 0) GTEST_SKIP() << "checks the root case";
  EXPECT_EQ(rootless_mapping(), nullptr);
}

}  // namespace
}  // namespace schicht::build
