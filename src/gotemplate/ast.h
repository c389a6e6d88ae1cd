// The parse tree of the Go template engine, shaped like Go's text/template/parse nodes so that
// positions and the `<...>` context in error messages come out as Go prints them.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace schicht::gotemplate::tmpl {

enum class NodeType {
  kText,
  kList,
  kAction,
  kPipe,
  kCommand,
  kIdentifier,
  kVariable,
  kDot,
  kNil,
  kField,
  kChain,
  kBool,
  kNumber,
  kString,
  kIf,
  kRange,
  kWith,
  kBreak,
  kContinue,
  kTemplate,
  kEnd,   // only while parsing
  kElse,  // only while parsing
};

struct Node {
  Node(NodeType type, size_t pos) : type(type), pos(pos) {}
  virtual ~Node() = default;
  // Go's String() of the node: the `<...>` context of execution errors.
  virtual std::string str() const = 0;

  NodeType type;
  size_t pos;  // byte offset in the template text
};

using NodePtr = std::unique_ptr<Node>;

struct TextNode : Node {
  TextNode(size_t pos, std::string text) : Node(NodeType::kText, pos), text(std::move(text)) {}
  std::string str() const override { return text; }
  std::string text;
};

struct ListNode : Node {
  explicit ListNode(size_t pos) : Node(NodeType::kList, pos) {}
  std::string str() const override;
  std::vector<NodePtr> nodes;
};

struct IdentifierNode : Node {
  IdentifierNode(size_t pos, std::string name)
      : Node(NodeType::kIdentifier, pos), name(std::move(name)) {}
  std::string str() const override { return name; }
  std::string name;
};

// "$x" or "$x.Field.Sub": ident[0] is the variable name including "$".
struct VariableNode : Node {
  VariableNode(size_t pos, std::vector<std::string> ident)
      : Node(NodeType::kVariable, pos), ident(std::move(ident)) {}
  std::string str() const override;
  std::vector<std::string> ident;
};

struct DotNode : Node {
  explicit DotNode(size_t pos) : Node(NodeType::kDot, pos) {}
  std::string str() const override { return "."; }
};

struct NilNode : Node {
  explicit NilNode(size_t pos) : Node(NodeType::kNil, pos) {}
  std::string str() const override { return "nil"; }
};

// ".A.B": ident holds "A", "B".
struct FieldNode : Node {
  FieldNode(size_t pos, std::vector<std::string> ident)
      : Node(NodeType::kField, pos), ident(std::move(ident)) {}
  std::string str() const override;
  std::vector<std::string> ident;
};

// A term followed by fields, e.g. "(index . 0).Name".
struct ChainNode : Node {
  ChainNode(size_t pos, NodePtr node) : Node(NodeType::kChain, pos), node(std::move(node)) {}
  std::string str() const override;
  NodePtr node;
  std::vector<std::string> fields;
};

struct BoolNode : Node {
  BoolNode(size_t pos, bool value) : Node(NodeType::kBool, pos), value(value) {}
  std::string str() const override { return value ? "true" : "false"; }
  bool value;
};

// A number literal; like Go, it records every representation its text allows.
struct NumberNode : Node {
  NumberNode(size_t pos, std::string text) : Node(NodeType::kNumber, pos), text(std::move(text)) {}
  std::string str() const override { return text; }
  std::string text;
  bool is_int = false;
  bool is_uint = false;
  bool is_float = false;
  int64_t int_value = 0;
  uint64_t uint_value = 0;
  double float_value = 0;
};

struct StringNode : Node {
  StringNode(size_t pos, std::string quoted, std::string text)
      : Node(NodeType::kString, pos), quoted(std::move(quoted)), text(std::move(text)) {}
  std::string str() const override { return quoted; }
  std::string quoted;  // as written, quotes included
  std::string text;    // the unquoted value
};

struct CommandNode : Node {
  explicit CommandNode(size_t pos) : Node(NodeType::kCommand, pos) {}
  std::string str() const override;
  std::vector<NodePtr> args;
};

struct PipeNode : Node {
  PipeNode(size_t pos, int line) : Node(NodeType::kPipe, pos), line(line) {}
  std::string str() const override;
  int line;
  bool is_assign = false;  // `$x = ...` rather than `$x := ...`
  std::vector<std::unique_ptr<VariableNode>> decl;
  std::vector<std::unique_ptr<CommandNode>> cmds;
};

struct ActionNode : Node {
  ActionNode(size_t pos, std::unique_ptr<PipeNode> pipe)
      : Node(NodeType::kAction, pos), pipe(std::move(pipe)) {}
  std::string str() const override { return "{{" + pipe->str() + "}}"; }
  std::unique_ptr<PipeNode> pipe;
};

// if, range and with.
struct BranchNode : Node {
  BranchNode(NodeType type, size_t pos) : Node(type, pos) {}
  std::string str() const override;
  std::unique_ptr<PipeNode> pipe;
  std::unique_ptr<ListNode> list;
  std::unique_ptr<ListNode> else_list;  // may be null
};

// break, continue, and the end/else markers the parser uses internally.
struct MarkerNode : Node {
  MarkerNode(NodeType type, size_t pos) : Node(type, pos) {}
  std::string str() const override;
};

// {{template "name" pipeline}}, and the invocation a {{block}} makes.
struct TemplateNode : Node {
  TemplateNode(size_t pos, std::string name, std::unique_ptr<PipeNode> pipe)
      : Node(NodeType::kTemplate, pos), name(std::move(name)), pipe(std::move(pipe)) {}
  std::string str() const override;
  std::string name;
  std::unique_ptr<PipeNode> pipe;  // may be null
};

struct Tree {
  std::string name;
  std::string text;
  std::unique_ptr<ListNode> root;
  // Templates made by {{define}} and {{block}}.
  std::map<std::string, std::unique_ptr<ListNode>, std::less<>> defined;
};

}  // namespace schicht::gotemplate::tmpl
