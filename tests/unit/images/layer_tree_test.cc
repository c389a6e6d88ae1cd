// image tree's model: chain IDs as containers/storage makes them, layers shared between images
// on one base, the images a layer tops.
#include "images/layer_tree.h"

#include <gtest/gtest.h>

#include "images_model_test_util.h"

namespace schicht::images {
namespace {

using Strings = std::vector<std::string>;

class LayerTreeTest : public test::ModelTest {};

TEST_F(LayerTreeTest, ChainIdsAndSharedLayers) {
  store::LayerInfo base = put_layer("base"), mid = put_layer("mid"), top = put_layer("top");
  auto a = add("a", {base, mid}, {"localhost/a:1"});
  auto b = add("b", {base, mid, top}, {"localhost/b:1"});
  auto c = add("c", {base}, {});
  add("elsewhere", {put_layer("other base")}, {"localhost/other:1"});

  ImageLayers layers = image_layers(store_, a.id);
  ASSERT_EQ(layers.layers.size(), 2u);
  const TreeLayer& first = *layers.layers[0];
  const TreeLayer& second = *layers.layers[1];
  EXPECT_EQ(first.id, base.diff_id);
  EXPECT_EQ(second.id, Digest::sha256_of(std::string(base.diff_id.hex()) + "+" +
                                         std::string(mid.diff_id.hex())));
  EXPECT_EQ(second.parent, &first);
  EXPECT_EQ(second.tops, (Strings{"localhost/a:1"}));
  EXPECT_EQ(first.shared_with, (Strings{"localhost/b:1", c.id.short_hex()}));
  EXPECT_EQ(second.shared_with, (Strings{"localhost/b:1"}));
  ASSERT_EQ(second.children.size(), 1u);  // b's top layer
  EXPECT_EQ(second.children[0]->tops, (Strings{"localhost/b:1"}));
  EXPECT_EQ(layers.image.names, (Strings{"localhost/a:1"}));
  (void)b;
}

TEST_F(LayerTreeTest, UnknownImageIsNotFound) {
  error_of(ErrorKind::kNotFound, [&] { image_layers(store_, Digest::sha256_of("none")); });
}

}  // namespace
}  // namespace schicht::images
