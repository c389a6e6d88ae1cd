#include "gotemplate/ast.h"

namespace schicht::gotemplate::tmpl {
namespace {

std::string arg_str(const Node& node) {
  if (node.type == NodeType::kPipe) return "(" + node.str() + ")";
  return node.str();
}

}  // namespace

std::string ListNode::str() const {
  std::string out;
  for (const auto& node : nodes) out += node->str();
  return out;
}

std::string VariableNode::str() const {
  std::string out;
  for (size_t i = 0; i < ident.size(); ++i) {
    if (i > 0) out += '.';
    out += ident[i];
  }
  return out;
}

std::string FieldNode::str() const {
  std::string out;
  for (const auto& name : ident) out += "." + name;
  return out;
}

std::string ChainNode::str() const {
  std::string out = arg_str(*node);
  for (const auto& name : fields) out += "." + name;
  return out;
}

std::string CommandNode::str() const {
  std::string out;
  for (size_t i = 0; i < args.size(); ++i) {
    if (i > 0) out += ' ';
    out += arg_str(*args[i]);
  }
  return out;
}

std::string PipeNode::str() const {
  std::string out;
  if (!decl.empty()) {
    for (size_t i = 0; i < decl.size(); ++i) {
      if (i > 0) out += ", ";
      out += decl[i]->str();
    }
    out += is_assign ? " = " : " := ";
  }
  for (size_t i = 0; i < cmds.size(); ++i) {
    if (i > 0) out += " | ";
    out += cmds[i]->str();
  }
  return out;
}

std::string BranchNode::str() const {
  std::string keyword = type == NodeType::kIf ? "if" : type == NodeType::kRange ? "range" : "with";
  std::string out = "{{" + keyword + " " + pipe->str() + "}}" + list->str();
  if (else_list) out += "{{else}}" + else_list->str();
  return out + "{{end}}";
}

std::string TemplateNode::str() const {
  std::string quoted = "\"";
  for (char c : name) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  quoted += '"';
  if (!pipe) return "{{template " + quoted + "}}";
  return "{{template " + quoted + " " + pipe->str() + "}}";
}

std::string MarkerNode::str() const {
  switch (type) {
    case NodeType::kBreak:
      return "{{break}}";
    case NodeType::kContinue:
      return "{{continue}}";
    case NodeType::kEnd:
      return "{{end}}";
    default:
      return "{{else}}";
  }
}

}  // namespace schicht::gotemplate::tmpl
