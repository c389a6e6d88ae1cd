// A tree drawn as podman draws one (gotree, `image tree`): each item on its own line under its
// parent, "├── " or "└── " before it and "│   " or "    " for each level above it.
#pragma once

#include <deque>
#include <string>

namespace schicht::render {

struct TreeDrawing {
  std::string text;               // may hold several lines; only its first is indented
  std::deque<TreeDrawing> items;  // stable addresses while children are added below a sibling
};

// Appends the root's text and a newline, then its items, drawn.
void append_tree(std::string& out, const TreeDrawing& root);

}  // namespace schicht::render
