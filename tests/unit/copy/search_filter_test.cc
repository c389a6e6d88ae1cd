#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "copy/search.h"
#include "core/error.h"

namespace schicht::copy {
namespace {

std::string error_of(const std::vector<std::string>& filters) {
  try {
    parse_search_filters(filters);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidInput);
    return e.what();
  }
  return "";
}

TEST(SearchFilter, StarsTakeGoIntegers) {
  EXPECT_EQ(parse_search_filters({"stars=3"}).stars, 3);
  EXPECT_EQ(parse_search_filters({"stars=+4"}).stars, 4);
  EXPECT_EQ(parse_search_filters({"stars=-2"}).stars, -2);
  EXPECT_EQ(parse_search_filters({"stars=1", "stars=5"}).stars, 5);  // the last wins
  EXPECT_EQ(error_of({"stars=x"}),
            "incorrect value type for stars filter: strconv.Atoi: parsing \"x\": invalid syntax");
  EXPECT_EQ(error_of({"stars="}),
            "incorrect value type for stars filter: strconv.Atoi: parsing \"\": invalid syntax");
  EXPECT_EQ(error_of({"stars=+-1"}),
            "incorrect value type for stars filter: strconv.Atoi: parsing \"+-1\": invalid syntax");
  EXPECT_EQ(error_of({"stars=99999999999999999999"}),
            "incorrect value type for stars filter: strconv.Atoi: parsing "
            "\"99999999999999999999\": value out of range");
  EXPECT_EQ(error_of({"stars"}), "invalid filter [\"stars\"], should be stars=<value>");
}

TEST(SearchFilter, OnlyFalseIsFalse) {
  EXPECT_EQ(parse_search_filters({"is-official=false"}).official, false);
  EXPECT_EQ(parse_search_filters({"is-official=x"}).official, true);
  EXPECT_EQ(parse_search_filters({"is-automated"}).automated, true);
  EXPECT_EQ(parse_search_filters({"is-automated=FALSE"}).automated, true);
  EXPECT_FALSE(parse_search_filters({}).official.has_value());
}

TEST(SearchFilter, UnknownKeysFailWithTheWholeFilter) {
  EXPECT_EQ(error_of({"bogus=1"}), "invalid filter type \"bogus=1\"");
  EXPECT_EQ(error_of({"=1"}), "invalid filter type \"=1\"");
}

}  // namespace
}  // namespace schicht::copy
