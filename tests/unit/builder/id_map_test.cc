// to_container(): host owners as RUN's user namespace shows them (id_map.h); work done as root
// of a user namespace, its result and its errors.
#include "builder/id_map.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "core/error.h"

namespace schicht::builder {
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

// A mapping of the caller alone (written directly, no helpers needed).
IdMapping caller_only() {
  IdMapping m;
  m.uids.push_back({0, static_cast<uint32_t>(::geteuid()), 1});
  m.gids.push_back({0, static_cast<uint32_t>(::getegid()), 1});
  return m;
}

TEST(IdMap, MappedRootRunsAsRootAndBringsItsResultBack) {
  std::string result;
  try {
    result = run_as_mapped_root_for(caller_only(), [] {
      return std::string("uid ") + std::to_string(::geteuid()) + std::string(1, '\0') + "end";
    });
  } catch (const Error& e) {
    GTEST_SKIP() << "no user namespaces here: " << e.what();
  }
  EXPECT_EQ(result, std::string("uid 0") + std::string(1, '\0') + "end");
}

TEST(IdMap, MappedRootErrorsComeBackWithTheirKind) {
  try {
    run_as_mapped_root(caller_only(), [] {});
  } catch (const Error& e) {
    GTEST_SKIP() << "no user namespaces here: " << e.what();
  }
  try {
    run_as_mapped_root(caller_only(), [] { fail(ErrorKind::kNotFound, "no such thing"); });
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kNotFound);
    EXPECT_STREQ(e.what(), "no such thing");
  }
}

}  // namespace
}  // namespace schicht::builder
