#include <gtest/gtest.h>

#include "builder/copy_step.h"
#include "core/error.h"

namespace schicht::builder {
namespace {

// A root filesystem holding only /etc/passwd and /etc/group.
class CopyOwner : public ::testing::Test {
 protected:
  CopyOwner() : root_(fs::temp_directory_path(), "copy-owner-test") {
    fs::create_directories(root_.path() / "etc");
    write_file_atomic(root_.path() / "etc/passwd",
                      "root:x:0:0:root:/root:/bin/sh\n"
                      "baduid:x:12x:1::/:/bin/sh\n"
                      "badgid:x:5:zz::/:/bin/sh\n"
                      "short:x\n"
                      "six:x:3:4::/\n"
                      "# a comment\n"
                      "good:x:7:8::/:/bin/sh\n");
    write_file_atomic(root_.path() / "etc/group",
                      "root:x:0:\n"
                      "badgroup:x:zz:\n"
                      "three:x:3\n"
                      "goodgroup:x:9:good\n");
  }
  std::pair<uid_t, gid_t> owner(const std::string& spec) {
    return lookup_owner(spec, root_.path());
  }
  TempDir root_;
};

TEST_F(CopyOwner, NumbersNeedNoEntry) {
  EXPECT_EQ(owner("1000"), (std::pair<uid_t, gid_t>{1000, 1000}));
  EXPECT_EQ(owner("1000:1001"), (std::pair<uid_t, gid_t>{1000, 1001}));
  EXPECT_EQ(owner("good:55"), (std::pair<uid_t, gid_t>{7, 55}));
}

TEST_F(CopyOwner, NamesAfterMalformedLinesAreFound) {
  EXPECT_EQ(owner("good"), (std::pair<uid_t, gid_t>{7, 8}));
  EXPECT_EQ(owner("good:goodgroup"), (std::pair<uid_t, gid_t>{7, 9}));
  EXPECT_EQ(owner("0:goodgroup"), (std::pair<uid_t, gid_t>{0, 9}));
}

TEST_F(CopyOwner, NameOnlyOnAMalformedLineIsUnknown) {
  for (const char* name : {"baduid", "badgid", "short", "six", "# a comment"}) {
    try {
      owner(name);
      ADD_FAILURE() << name << " was found";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kNotFound);
      EXPECT_NE(std::string(e.what()).find("unknown user error looking up user"), std::string::npos)
          << e.what();
    }
  }
  for (const char* group : {"root:badgroup", "root:three", "root:nosuch"}) {
    try {
      owner(group);
      ADD_FAILURE() << group << " was found";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kNotFound);
      EXPECT_NE(std::string(e.what()).find("unknown group error looking up group"),
                std::string::npos)
          << e.what();
    }
  }
}

TEST_F(CopyOwner, AnIdTooLargeIsNotANumber) {
  EXPECT_THROW(owner("99999999999"), Error);
}

}  // namespace
}  // namespace schicht::builder
