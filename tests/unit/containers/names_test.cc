// The IDs and names `create` gives containers.
#include "containers/names.h"

#include <gtest/gtest.h>

#include <regex>

namespace schicht::containers {
namespace {

TEST(Names, RandomHexIsLowerCaseHexOfTheLengthAsked) {
  std::string id = random_hex(32);
  EXPECT_TRUE(std::regex_match(id, std::regex("[0-9a-f]{64}"))) << id;
  EXPECT_NE(random_hex(32), id);
}

TEST(Names, RandomNameIsAnAdjectiveAndASurname) {
  std::string name = random_name();
  EXPECT_TRUE(std::regex_match(name, std::regex("[a-z]+_[a-z]+"))) << name;
}

TEST(Names, UnusedRandomNameAvoidsTakenNames) {
  std::set<std::string> taken;
  for (int i = 0; i < 2000; ++i) taken.insert(random_name());
  ASSERT_EQ(taken.size(), 144u);  // every plain name is taken
  std::string name = unused_random_name(taken);
  EXPECT_EQ(taken.count(name), 0u);
  // With every plain name taken, the retries append a number.
  EXPECT_TRUE(std::regex_match(name, std::regex("[a-z]+_[a-z]+[0-9]+"))) << name;
}

TEST(Names, UnusedRandomNameIsPlainWhileFewAreTaken) {
  std::string name = unused_random_name({"brave_curie"});
  EXPECT_NE(name, "brave_curie");
  EXPECT_TRUE(std::regex_match(name, std::regex("[a-z]+_[a-z]+[0-9]*"))) << name;
}

}  // namespace
}  // namespace schicht::containers
