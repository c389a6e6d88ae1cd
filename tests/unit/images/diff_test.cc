// image diff's model: changes between two stacks of layers, or of the top layer alone, without
// the mount points podman leaves out.
#include "images/diff.h"

#include <gtest/gtest.h>

#include "images_model_test_util.h"

namespace schicht::images {
namespace {

using test::layer_tar;
using Kind = snapshot::TreeChange::Kind;

std::vector<std::pair<Kind, std::string>> listed(const std::vector<snapshot::TreeChange>& changes) {
  std::vector<std::pair<Kind, std::string>> out;
  for (const auto& c : changes) out.emplace_back(c.kind, c.path);
  return out;
}

TEST(ImageChanges, TopLayerAloneWithoutFrom) {
  auto to = test::sources_of({layer_tar({{"a", "1"}, {"b", "2"}}),
                              layer_tar({{"a", "11"}, {"c", "3"}, {".wh.b", ""}, {"proc/", ""}})});
  auto changes = listed(image_changes(to, std::nullopt));
  EXPECT_EQ(changes, (std::vector<std::pair<Kind, std::string>>{
                         {Kind::kModify, "/a"}, {Kind::kDelete, "/b"}, {Kind::kAdd, "/c"}}));
}

TEST(ImageChanges, BetweenTwoStacks) {
  auto base = layer_tar({{"etc/", ""}, {"etc/conf", "x"}});
  auto to = test::sources_of({base, layer_tar({{"etc/", ""}, {"etc/new", "n"}})});
  auto from = test::sources_of({base});
  auto changes = listed(image_changes(to, std::span<const snapshot::LayerSource>(from)));
  ASSERT_FALSE(changes.empty());
  EXPECT_EQ(changes.back(), (std::pair<Kind, std::string>{Kind::kAdd, "/etc/new"}));
  EXPECT_TRUE(image_changes(from, std::span<const snapshot::LayerSource>(from)).empty());
}

}  // namespace
}  // namespace schicht::images
