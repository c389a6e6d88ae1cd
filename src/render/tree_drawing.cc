#include "render/tree_drawing.h"

namespace schicht::render {
namespace {

void append_items(std::string& out, const std::deque<TreeDrawing>& items,
                  const std::string& indent) {
  for (size_t i = 0; i < items.size(); ++i) {
    bool last = i + 1 == items.size();
    out += indent + (last ? "└── " : "├── ") + items[i].text + "\n";
    append_items(out, items[i].items, indent + (last ? "    " : "│   "));
  }
}

}  // namespace

void append_tree(std::string& out, const TreeDrawing& root) {
  out += root.text + "\n";
  append_items(out, root.items, "");
}

}  // namespace schicht::render
