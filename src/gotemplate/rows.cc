#include "gotemplate/rows.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace schicht::gotemplate::tmpl {
namespace {

// `{{.Name}}` with nothing else: one command, one single-field argument, no declarations.
const FieldNode* lone_field(const PipeNode& pipe) {
  if (!pipe.decl.empty() || pipe.cmds.size() != 1 || pipe.cmds[0]->args.size() != 1) {
    return nullptr;
  }
  const Node& arg = *pipe.cmds[0]->args[0];
  if (arg.type != NodeType::kField) return nullptr;
  const auto& field = static_cast<const FieldNode&>(arg);
  return field.ident.size() == 1 ? &field : nullptr;
}

bool is_range_over_dot(const Node& node) {
  if (node.type != NodeType::kRange) return false;
  const auto& range = static_cast<const BranchNode&>(node);
  if (range.else_list || !range.pipe->decl.empty() || range.pipe->cmds.size() != 1) return false;
  const auto& args = range.pipe->cmds[0]->args;
  return args.size() == 1 && args[0]->type == NodeType::kDot;
}

}  // namespace

std::optional<RowPlan> plan_rows(const Tree& tree) {
  if (!tree.defined.empty()) return std::nullopt;
  RowPlan plan;
  const BranchNode* range = nullptr;
  for (const auto& node : tree.root->nodes) {
    if (node->type == NodeType::kText) {
      (range ? plan.after : plan.before) += static_cast<const TextNode&>(*node).text;
    } else if (!range && is_range_over_dot(*node)) {
      range = static_cast<const BranchNode*>(node.get());
    } else {
      return std::nullopt;
    }
  }
  if (!range) return std::nullopt;
  plan.texts.emplace_back();
  for (const auto& node : range->list->nodes) {
    if (node->type == NodeType::kText) {
      plan.texts.back() += static_cast<const TextNode&>(*node).text;
      continue;
    }
    if (node->type != NodeType::kAction) return std::nullopt;
    const FieldNode* field = lone_field(*static_cast<const ActionNode&>(*node).pipe);
    if (!field) return std::nullopt;
    plan.fields.push_back(field->ident[0]);
    plan.texts.emplace_back();
  }
  return plan;
}

bool execute_rows(const RowPlan& plan, const nlohmann::ordered_json& data, std::string& out) {
  if (!data.is_array()) return false;
  // One pass to find every field, so that nothing is written unless all rows qualify.
  std::vector<const std::string*> cells;
  cells.reserve(data.size() * plan.fields.size());
  size_t size = plan.before.size() + plan.after.size();
  for (const auto& row : data) {
    if (!row.is_object()) return false;
    for (size_t i = 0; i < plan.fields.size(); ++i) {
      auto found = row.find(plan.fields[i]);
      if (found == row.end() || !found->is_string()) return false;
      cells.push_back(&found->get_ref<const std::string&>());
      size += plan.texts[i].size() + cells.back()->size();
    }
    size += plan.texts.back().size();
  }
  out.reserve(out.size() + size);
  out += plan.before;
  auto cell = cells.begin();
  for (size_t row = 0; row < data.size(); ++row) {
    for (size_t i = 0; i < plan.fields.size(); ++i) {
      out += plan.texts[i];
      out += **cell++;
    }
    out += plan.texts.back();
  }
  out += plan.after;
  return true;
}

void execute_cells(const RowPlan& plan, std::span<const std::string_view> cells,
                   const std::function<void(std::string_view)>& sink) {
  constexpr size_t kChunk = 16 * 1024;
  std::string out;
  out.reserve(2 * kChunk);
  out += plan.before;
  size_t columns = plan.fields.size();
  for (size_t start = 0; columns > 0 ? start < cells.size() : false; start += columns) {
    for (size_t i = 0; i < columns; ++i) {
      out += plan.texts[i];
      out += cells[start + i];
    }
    out += plan.texts.back();
    if (out.size() >= kChunk) {
      sink(out);
      out.clear();
    }
  }
  out += plan.after;
  sink(out);
}

void tabulate_cells(const RowPlan& plan, std::span<const std::string_view> cells,
                    TabWriter& writer) {
  size_t columns = plan.fields.size();
  bool tab_joined = columns > 0 && plan.texts.front().empty() && plan.texts.back() == "\n" &&
                    std::all_of(plan.texts.begin() + 1, plan.texts.end() - 1,
                                [](const std::string& text) { return text == "\t"; });
  writer.write(plan.before);
  for (size_t start = 0; columns > 0 ? start < cells.size() : false; start += columns) {
    auto row = cells.subspan(start, columns);
    if (tab_joined) {
      writer.write_row(row);
      continue;
    }
    for (size_t i = 0; i < columns; ++i) {
      writer.write(plan.texts[i]);
      writer.write(row[i]);
    }
    writer.write(plan.texts.back());
  }
  writer.write(plan.after);
}

}  // namespace schicht::gotemplate::tmpl
