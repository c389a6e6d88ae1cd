#include <gtest/gtest.h>

#include "builder/run_user.h"
#include "core/error.h"

namespace schicht::builder {
namespace {

constexpr const char* kPasswd =
    "root:x:0:0:root:/root:/bin/sh\n"
    "# a comment\n"
    "app:x:1000:1001:App:/home/app:/bin/sh\n"
    "nohome:x:1002:1002::::\n";
constexpr const char* kGroup =
    "root:x:0:\n"
    "appgroup:x:1001:\n"
    "extra:x:2000:other,app\n"
    "more:x:2001:app\n"
    "unrelated:x:2002:other\n";

TEST(ResolveUser, EmptySpecIsRoot) {
  RunUser u = resolve_user("", kPasswd, kGroup);
  EXPECT_EQ(u.uid, 0u);
  EXPECT_EQ(u.gid, 0u);
  EXPECT_EQ(u.home, "/root");
}

TEST(ResolveUser, NameGivesPrimaryGroupHomeAndSupplementaryGroups) {
  RunUser u = resolve_user("app", kPasswd, kGroup);
  EXPECT_EQ(u.uid, 1000u);
  EXPECT_EQ(u.gid, 1001u);
  EXPECT_EQ(u.home, "/home/app");
  EXPECT_EQ(u.groups, (std::vector<gid_t>{1001, 2000, 2001}));
}

TEST(ResolveUser, NumericUidFindsItsEntry) {
  RunUser u = resolve_user("1000", kPasswd, kGroup);
  EXPECT_EQ(u.gid, 1001u);
  EXPECT_EQ(u.home, "/home/app");
  EXPECT_EQ(u.groups.size(), 3u);
}

TEST(ResolveUser, UnknownNumericUidHasGroupZeroAndRootHome) {
  RunUser u = resolve_user("1234", kPasswd, kGroup);
  EXPECT_EQ(u.uid, 1234u);
  EXPECT_EQ(u.gid, 0u);
  EXPECT_EQ(u.home, "/");
  EXPECT_EQ(u.groups, (std::vector<gid_t>{0}));
}

TEST(ResolveUser, ExplicitGroupByNameOrNumberAndNoSupplementaryGroups) {
  RunUser by_name = resolve_user("app:extra", kPasswd, kGroup);
  EXPECT_EQ(by_name.gid, 2000u);
  EXPECT_EQ(by_name.groups, (std::vector<gid_t>{2000}));
  RunUser by_number = resolve_user("1234:55", kPasswd, kGroup);
  EXPECT_EQ(by_number.uid, 1234u);
  EXPECT_EQ(by_number.gid, 55u);
  EXPECT_EQ(by_number.groups, (std::vector<gid_t>{55}));
}

TEST(ResolveUser, EmptyHomeFieldMeansRoot) {
  EXPECT_EQ(resolve_user("nohome", kPasswd, kGroup).home, "/");
}

TEST(ResolveUser, UnknownNamesFailAsBuildahDoes) {
  try {
    resolve_user("nosuch", kPasswd, kGroup);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kNotFound);
    EXPECT_STREQ(e.what(), "user: unknown user error looking up user \"nosuch\"");
  }
  EXPECT_THROW(resolve_user("app:nosuch", kPasswd, kGroup), Error);
  EXPECT_THROW(resolve_user("12a", "", ""), Error);
}

}  // namespace
}  // namespace schicht::builder
