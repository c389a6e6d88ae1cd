// The reference filter's first cut: the literal text a pattern's matches must contain, never
// more than that (a name the pattern matches is never cut).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "images/image_filter.h"
#include "store/store.h"

namespace schicht::images {
namespace {

TEST(ImageFilter, LiteralOfAReferenceIsItsLongestPlainRun) {
  EXPECT_EQ(literal_of_reference("*img77*"), "img77");
  EXPECT_EQ(literal_of_reference("localhost/bench/img7:1"), "localhost/bench/img7");
  EXPECT_EQ(literal_of_reference("a*longer-part?x"), "longer-part");
  EXPECT_EQ(literal_of_reference("[abc]def[gh]"), "def");
  EXPECT_EQ(literal_of_reference("ab\\*cd*e"), "ab*cd");
  EXPECT_EQ(literal_of_reference("*"), "");
  EXPECT_EQ(literal_of_reference("[unclosed"), "");
  EXPECT_EQ(literal_of_reference("trailing\\"), "trailing");
}

TEST(ImageFilter, EveryNameAPatternMatchesContainsItsLiteral) {
  const std::vector<std::string> names = {
      "localhost/bench/img77:1", "docker.io/library/alpine:3.19", "quay.io/a/b/c:latest",
      "localhost/x/y:tag-with-dash", "localhost/d@sha256:" + std::string(64, 'a')};
  const std::vector<std::string> patterns = {"*img77*",
                                             "img77",
                                             "bench/img77:1",
                                             "alpine",
                                             "alpine:3.19",
                                             "library/alpine:3.*",
                                             "c",
                                             "b/c",
                                             "*/c:latest",
                                             "y:tag-*",
                                             "y",
                                             "d",
                                             "d:",
                                             "[a-z]*7",
                                             "img7?",
                                             "*:3.19",
                                             "localhost/*/img77"};
  for (const auto& name : names) {
    store::ImageInfo image{.id = Digest::sha256_of("config"),
                           .manifest_digest = Digest::sha256_of("manifest")};
    image.names = {name};
    for (const auto& pattern : patterns) {
      if (!reference_matches(pattern, image)) continue;
      EXPECT_NE(name.find(literal_of_reference(pattern)), std::string::npos)
          << pattern << " matches " << name;
    }
  }
}

}  // namespace
}  // namespace schicht::images
