// Trees drawn as podman's gotree draws them.
#include "render/tree_drawing.h"

#include <gtest/gtest.h>

namespace schicht::render {
namespace {

TEST(TreeDrawing, ARootAloneIsItsText) {
  std::string out;
  append_tree(out, TreeDrawing{"Image ID: 0123\nImage Layers", {}});
  EXPECT_EQ(out, "Image ID: 0123\nImage Layers\n");
}

TEST(TreeDrawing, LastItemsCloseTheirBranch) {
  TreeDrawing root{"root", {}};
  TreeDrawing& a = root.items.emplace_back(TreeDrawing{"a", {}});
  a.items.push_back(TreeDrawing{"a1", {}});
  a.items.push_back(TreeDrawing{"a2", {}});
  TreeDrawing& b = root.items.emplace_back(TreeDrawing{"b", {}});
  b.items.push_back(TreeDrawing{"b1", {}});
  std::string out = "before\n";
  append_tree(out, root);
  EXPECT_EQ(out,
            "before\n"
            "root\n"
            "├── a\n"
            "│   ├── a1\n"
            "│   └── a2\n"
            "└── b\n"
            "    └── b1\n");
}

}  // namespace
}  // namespace schicht::render
