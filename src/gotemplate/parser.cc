#include "gotemplate/parser.h"

#include <utility>

#include <fmt/format.h>

#include "core/error.h"
#include "gotemplate/funcs.h"
#include "gotemplate/lexer.h"
#include "gotemplate/literals.h"

namespace schicht::gotemplate::tmpl {
namespace {

class Parser {
 public:
  explicit Parser(Tree& tree)
      : tree_(tree), tokens_(lex(tree.text)), name_(tree.name), vars_{"$"} {}

  std::unique_ptr<ListNode> parse() {
    auto root = std::make_unique<ListNode>(peek().pos);
    while (peek().type != TokenType::kEof) {
      if (peek().type == TokenType::kLeftDelim) {
        size_t before = index_;
        next();
        if (next_non_space().type == TokenType::kDefine) {
          definition();
          continue;
        }
        index_ = before;
      }
      NodePtr node = text_or_action();
      if (node->type == NodeType::kEnd || node->type == NodeType::kElse) {
        errorf("unexpected " + node->str());
      }
      root->nodes.push_back(std::move(node));
    }
    return root;
  }

 private:
  // The index may run past the final EOF/error token, which then repeats; backup stays exact.
  const Token& at(size_t index) const { return tokens_[std::min(index, tokens_.size() - 1)]; }
  const Token& next() {
    const Token& token = at(index_++);
    line_ = token.line;
    return token;
  }
  void backup() { --index_; }
  const Token& peek() const { return at(index_); }
  const Token& next_non_space() {
    const Token* token = &next();
    while (token->type == TokenType::kSpace) token = &next();
    return *token;
  }
  const Token& peek_non_space() {
    const Token& token = next_non_space();
    backup();
    return token;
  }

  [[noreturn]] void errorf(const std::string& message) {
    fail(ErrorKind::kInvalidInput, fmt::format("template: {}:{}: {}", name_, line_, message));
  }

  [[noreturn]] void unexpected(const Token& token, std::string_view context) {
    if (token.type == TokenType::kError) {
      std::string extra;
      if (action_line_ != 0 && action_line_ != token.line) {
        extra = fmt::format(" in action started at {}:{}", name_, action_line_);
        if (token.value.ends_with(" action")) {
          extra = extra.substr(std::string(" in action").size());
        }
      }
      errorf(token.value + extra);
    }
    errorf(fmt::format("unexpected {} in {}", describe(token), context));
  }

  const Token& expect(TokenType type, std::string_view context) {
    const Token& token = next_non_space();
    if (token.type != type) unexpected(token, context);
    return token;
  }

  NodePtr text_or_action() {
    const Token& token = next_non_space();
    if (token.type == TokenType::kText) return std::make_unique<TextNode>(token.pos, token.value);
    if (token.type == TokenType::kLeftDelim) {
      action_line_ = token.line;
      NodePtr node = action();
      action_line_ = 0;
      return node;
    }
    unexpected(token, "input");
  }

  NodePtr action() {
    const Token& token = next_non_space();
    switch (token.type) {
      case TokenType::kBreak:
      case TokenType::kContinue:
        return loop_control(token);
      case TokenType::kElse:
        return else_control();
      case TokenType::kEnd:
        return std::make_unique<MarkerNode>(NodeType::kEnd,
                                            expect(TokenType::kRightDelim, "end").pos);
      case TokenType::kIf:
        return branch(NodeType::kIf, "if", true);
      case TokenType::kRange:
        return branch(NodeType::kRange, "range", false);
      case TokenType::kWith:
        return branch(NodeType::kWith, "with", false);
      case TokenType::kBlock:
        return block_control();
      case TokenType::kTemplate:
        return template_control();
      default:
        break;
    }
    backup();
    size_t pos = peek().pos;
    return std::make_unique<ActionNode>(pos, pipeline("command", TokenType::kRightDelim));
  }

  // {{define "name"}}...{{end}}, only at the top level.
  void definition() {
    constexpr std::string_view kContext = "define clause";
    std::string name = template_name(next_non_space(), kContext);
    expect(TokenType::kRightDelim, kContext);
    auto [body, end] = sub_template_list();
    if (end->type != NodeType::kEnd) {
      errorf(fmt::format("unexpected {} in {}", end->str(), kContext));
    }
    add_template(name, std::move(body));
  }

  NodePtr template_control() {
    constexpr std::string_view kContext = "template clause";
    const Token token = next_non_space();
    std::string name = template_name(token, kContext);
    std::unique_ptr<PipeNode> pipe;
    if (next_non_space().type != TokenType::kRightDelim) {
      backup();
      pipe = pipeline(kContext, TokenType::kRightDelim);
    }
    return std::make_unique<TemplateNode>(token.pos, std::move(name), std::move(pipe));
  }

  // {{block "name" pipeline}}...{{end}}: defines the template and invokes it.
  NodePtr block_control() {
    constexpr std::string_view kContext = "block clause";
    const Token token = next_non_space();
    std::string name = template_name(token, kContext);
    auto pipe = pipeline(kContext, TokenType::kRightDelim);
    auto [body, end] = sub_template_list();
    if (end->type != NodeType::kEnd) {
      errorf(fmt::format("unexpected {} in {}", end->str(), kContext));
    }
    add_template(name, std::move(body));
    return std::make_unique<TemplateNode>(token.pos, std::move(name), std::move(pipe));
  }

  std::string template_name(const Token& token, std::string_view context) {
    if (token.type != TokenType::kString && token.type != TokenType::kRawString) {
      unexpected(token, context);
    }
    std::string name;
    if (!unquote(token.value, name)) errorf("invalid syntax");
    return name;
  }

  // A defined template's body: parsed with its own variables and outside any range.
  std::pair<std::unique_ptr<ListNode>, NodePtr> sub_template_list() {
    auto saved_vars = std::exchange(vars_, {"$"});
    int saved_depth = std::exchange(range_depth_, 0);
    auto result = item_list();
    vars_ = std::move(saved_vars);
    range_depth_ = saved_depth;
    return result;
  }

  // A later definition may replace an empty one; two non-empty ones conflict.
  void add_template(const std::string& name, std::unique_ptr<ListNode> body) {
    auto& slot = tree_.defined[name];
    if (slot && !is_empty(*slot)) {
      if (!is_empty(*body)) {
        errorf(fmt::format("template: multiple definition of template \"{}\"", name));
      }
      return;
    }
    slot = std::move(body);
  }

  static bool is_empty(const Node& node) {
    if (node.type == NodeType::kText) {
      return static_cast<const TextNode&>(node).text.find_first_not_of(" \t\r\n") ==
             std::string::npos;
    }
    if (node.type != NodeType::kList) return false;
    for (const auto& child : static_cast<const ListNode&>(node).nodes) {
      if (!is_empty(*child)) return false;
    }
    return true;
  }

  NodePtr loop_control(const Token& keyword) {
    NodeType type = keyword.type == TokenType::kBreak ? NodeType::kBreak : NodeType::kContinue;
    std::string context = "{{" + keyword.value + "}}";
    const Token& token = next_non_space();
    if (token.type != TokenType::kRightDelim) unexpected(token, context);
    if (range_depth_ == 0) errorf(context + " outside {{range}}");
    return std::make_unique<MarkerNode>(type, keyword.pos);
  }

  NodePtr else_control() {
    const Token& peeked = peek_non_space();
    if (peeked.type == TokenType::kIf) {
      return std::make_unique<MarkerNode>(NodeType::kElse, peeked.pos);
    }
    return std::make_unique<MarkerNode>(NodeType::kElse,
                                        expect(TokenType::kRightDelim, "else").pos);
  }

  NodePtr branch(NodeType type, std::string_view context, bool allow_else_if) {
    size_t saved_vars = vars_.size();
    auto node = std::make_unique<BranchNode>(type, 0);
    node->pipe = pipeline(context, TokenType::kRightDelim);
    node->pos = node->pipe->pos;
    if (type == NodeType::kRange) ++range_depth_;
    NodePtr next;
    std::tie(node->list, next) = item_list();
    if (type == NodeType::kRange) --range_depth_;
    if (next->type == NodeType::kElse) {
      if (allow_else_if && peek().type == TokenType::kIf) {
        // "{{else if b}}" reads as "{{else}}{{if b}}...{{end}}" sharing the outer {{end}}.
        this->next();
        node->else_list = std::make_unique<ListNode>(next->pos);
        node->else_list->nodes.push_back(branch(NodeType::kIf, "if", true));
      } else {
        std::tie(node->else_list, next) = item_list();
        if (next->type != NodeType::kEnd) errorf("expected end; found " + next->str());
      }
    }
    vars_.resize(saved_vars);
    return node;
  }

  std::pair<std::unique_ptr<ListNode>, NodePtr> item_list() {
    auto list = std::make_unique<ListNode>(peek_non_space().pos);
    while (peek_non_space().type != TokenType::kEof) {
      NodePtr node = text_or_action();
      if (node->type == NodeType::kEnd || node->type == NodeType::kElse) {
        return {std::move(list), std::move(node)};
      }
      list->nodes.push_back(std::move(node));
    }
    errorf("unexpected EOF");
  }

  std::unique_ptr<PipeNode> pipeline(std::string_view context, TokenType end) {
    const Token& first = peek_non_space();
    auto pipe = std::make_unique<PipeNode>(first.pos, first.line);
    parse_declarations(*pipe, context);
    while (true) {
      const Token& token = next_non_space();
      if (token.type == end) {
        check_pipeline(*pipe, context);
        return pipe;
      }
      switch (token.type) {
        case TokenType::kBool:
        case TokenType::kCharConstant:
        case TokenType::kDot:
        case TokenType::kField:
        case TokenType::kIdentifier:
        case TokenType::kNumber:
        case TokenType::kNil:
        case TokenType::kRawString:
        case TokenType::kString:
        case TokenType::kVariable:
        case TokenType::kLeftParen:
          backup();
          pipe->cmds.push_back(command());
          break;
        default:
          unexpected(token, context);
      }
    }
  }

  // "$x :=", "$x =", and in range "$i, $e :=".
  void parse_declarations(PipeNode& pipe, std::string_view context) {
    while (peek_non_space().type == TokenType::kVariable) {
      size_t before = index_;
      const Token variable = next();
      const Token& following = peek_non_space();
      if (following.type == TokenType::kAssign || following.type == TokenType::kDeclare) {
        pipe.is_assign = following.type == TokenType::kAssign;
        next_non_space();
        add_declaration(pipe, variable);
        return;
      }
      if (following.type == TokenType::kChar && following.value == ",") {
        next_non_space();
        add_declaration(pipe, variable);
        if (context == "range" && pipe.decl.size() < 2) {
          TokenType after = peek_non_space().type;
          if (after == TokenType::kVariable || after == TokenType::kRightDelim ||
              after == TokenType::kRightParen) {
            continue;
          }
          errorf("range can only initialize variables");
        }
        errorf(fmt::format("too many declarations in {}", context));
      }
      index_ = before;  // an operand, not a declaration
      return;
    }
  }

  void add_declaration(PipeNode& pipe, const Token& variable) {
    pipe.decl.push_back(
        std::make_unique<VariableNode>(variable.pos, std::vector<std::string>{variable.value}));
    vars_.push_back(variable.value);
  }

  void check_pipeline(const PipeNode& pipe, std::string_view context) {
    if (pipe.cmds.empty()) errorf(fmt::format("missing value for {}", context));
    for (size_t i = 1; i < pipe.cmds.size(); ++i) {
      switch (pipe.cmds[i]->args[0]->type) {
        case NodeType::kBool:
        case NodeType::kDot:
        case NodeType::kNil:
        case NodeType::kNumber:
        case NodeType::kString:
          errorf(fmt::format("non executable command in pipeline stage {}", i + 1));
        default:
          break;
      }
    }
  }

  std::unique_ptr<CommandNode> command() {
    auto cmd = std::make_unique<CommandNode>(peek_non_space().pos);
    while (true) {
      peek_non_space();
      if (NodePtr node = operand()) cmd->args.push_back(std::move(node));
      const Token& token = next();
      if (token.type == TokenType::kSpace) continue;
      if (token.type == TokenType::kRightDelim || token.type == TokenType::kRightParen) {
        backup();
      } else if (token.type != TokenType::kPipe) {
        unexpected(token, "operand");
      }
      break;
    }
    if (cmd->args.empty()) errorf("empty command");
    return cmd;
  }

  NodePtr operand() {
    NodePtr node = term();
    if (!node || peek().type != TokenType::kField) return node;
    auto chain = std::make_unique<ChainNode>(peek().pos, nullptr);
    while (peek().type == TokenType::kField) chain->fields.push_back(next().value.substr(1));
    switch (node->type) {
      case NodeType::kField: {
        auto ident = static_cast<FieldNode&>(*node).ident;
        ident.insert(ident.end(), chain->fields.begin(), chain->fields.end());
        return std::make_unique<FieldNode>(chain->pos, std::move(ident));
      }
      case NodeType::kVariable: {
        auto ident = static_cast<VariableNode&>(*node).ident;
        ident.insert(ident.end(), chain->fields.begin(), chain->fields.end());
        return std::make_unique<VariableNode>(chain->pos, std::move(ident));
      }
      case NodeType::kBool:
      case NodeType::kString:
      case NodeType::kNumber:
      case NodeType::kNil:
      case NodeType::kDot:
        errorf(fmt::format("unexpected . after term {}",
                           describe(Token{TokenType::kText, 0, node->str(), 0})));
      default:
        chain->node = std::move(node);
        return chain;
    }
  }

  NodePtr term() {
    const Token& token = next_non_space();
    switch (token.type) {
      case TokenType::kIdentifier:
        if (!has_function(token.value)) {
          errorf(fmt::format("function \"{}\" not defined", token.value));
        }
        return std::make_unique<IdentifierNode>(token.pos, token.value);
      case TokenType::kDot:
        return std::make_unique<DotNode>(token.pos);
      case TokenType::kNil:
        return std::make_unique<NilNode>(token.pos);
      case TokenType::kVariable:
        return use_variable(token);
      case TokenType::kField:
        return std::make_unique<FieldNode>(token.pos,
                                           std::vector<std::string>{token.value.substr(1)});
      case TokenType::kBool:
        return std::make_unique<BoolNode>(token.pos, token.value == "true");
      case TokenType::kCharConstant:
      case TokenType::kNumber:
        return number(token);
      case TokenType::kLeftParen:
        return pipeline("parenthesized pipeline", TokenType::kRightParen);
      case TokenType::kString:
      case TokenType::kRawString: {
        std::string text;
        if (!unquote(token.value, text)) errorf("invalid syntax");
        return std::make_unique<StringNode>(token.pos, token.value, std::move(text));
      }
      default:
        backup();
        return nullptr;
    }
  }

  NodePtr use_variable(const Token& token) {
    for (const auto& name : vars_) {
      if (name == token.value) {
        return std::make_unique<VariableNode>(token.pos, std::vector<std::string>{token.value});
      }
    }
    errorf(fmt::format("undefined variable \"{}\"", token.value));
  }

  NodePtr number(const Token& token) {
    auto node = std::make_unique<NumberNode>(token.pos, token.value);
    std::string error;
    if (!parse_number(token.value, token.type == TokenType::kCharConstant, *node, error)) {
      errorf(error);
    }
    return node;
  }

  Tree& tree_;
  std::vector<Token> tokens_;
  size_t index_ = 0;
  std::string name_;
  std::vector<std::string> vars_;
  int line_ = 1;
  int action_line_ = 0;
  int range_depth_ = 0;
};

}  // namespace

std::unique_ptr<Tree> parse_tree(std::string_view text, std::string_view name) {
  auto tree = std::make_unique<Tree>();
  tree->name = std::string(name);
  tree->text = std::string(text);
  tree->root = Parser(*tree).parse();
  return tree;
}

}  // namespace schicht::gotemplate::tmpl
