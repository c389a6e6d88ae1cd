#include "gotemplate/exec.h"

#include <algorithm>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "gotemplate/funcs.h"
#include "gotemplate/printf.h"
#include "gotemplate/strconv.h"

namespace schicht::gotemplate::tmpl {
namespace {

using Args = std::span<const NodePtr>;
using Final = std::optional<Value>;  // the previous pipeline stage's value, if any

enum class Flow { kNormal, kBreak, kContinue };

class Executor {
 public:
  Executor(const Tree& tree, std::string& out, const GoTypes& types)
      : tree_(tree), out_(out), types_(types), name_(tree.name) {}

  void run(const Value& data) {
    vars_.emplace_back("$", data);
    walk(data, *tree_.root);
  }

 private:
  Flow walk(const Value& dot, const Node& node) {
    at(node);
    switch (node.type) {
      case NodeType::kText:
        out_ += static_cast<const TextNode&>(node).text;
        return Flow::kNormal;
      case NodeType::kList:
        for (const auto& child : static_cast<const ListNode&>(node).nodes) {
          if (Flow flow = walk(dot, *child); flow != Flow::kNormal) return flow;
        }
        return Flow::kNormal;
      case NodeType::kAction: {
        const auto& pipe = *static_cast<const ActionNode&>(node).pipe;
        Value value = eval_pipeline(dot, pipe);
        if (pipe.decl.empty()) {
          at(node);
          out_ += action_text(value, types_);
        }
        return Flow::kNormal;
      }
      case NodeType::kIf:
      case NodeType::kWith:
        return walk_if_or_with(dot, static_cast<const BranchNode&>(node));
      case NodeType::kRange:
        return walk_range(dot, static_cast<const BranchNode&>(node));
      case NodeType::kTemplate:
        walk_template(dot, static_cast<const TemplateNode&>(node));
        return Flow::kNormal;
      case NodeType::kBreak:
        return Flow::kBreak;
      case NodeType::kContinue:
        return Flow::kContinue;
      default:
        errorf("unknown node: " + node.str());
    }
  }

  // {{template "name" pipeline}}: the named template runs with the pipeline's value as both
  // dot and $, and sees none of the caller's variables.
  void walk_template(const Value& dot, const TemplateNode& node) {
    at(node);
    auto found = tree_.defined.find(node.name);
    if (found == tree_.defined.end()) {
      errorf(fmt::format("template {} not defined", go_quote(node.name)));
    }
    if (depth_ >= kMaxDepth) errorf(fmt::format("exceeded maximum template depth ({})", kMaxDepth));
    Value data = node.pipe ? eval_pipeline(dot, *node.pipe) : Value();
    auto saved_vars = std::exchange(vars_, {{"$", data}});
    std::string saved_name = std::exchange(name_, node.name);
    ++depth_;
    walk(data, *found->second);
    --depth_;
    name_ = std::move(saved_name);
    vars_ = std::move(saved_vars);
  }

  Flow walk_if_or_with(const Value& dot, const BranchNode& node) {
    size_t mark = vars_.size();
    Value value = eval_pipeline(dot, *node.pipe);
    Flow flow = Flow::kNormal;
    if (is_true(value, types_)) {
      flow = walk(node.type == NodeType::kWith ? value : dot, *node.list);
    } else if (node.else_list) {
      flow = walk(dot, *node.else_list);
    }
    vars_.resize(mark);
    return flow;
  }

  Flow walk_range(const Value& dot, const BranchNode& node) {
    at(node);
    size_t outer_mark = vars_.size();
    Value value = eval_pipeline(dot, *node.pipe);
    size_t mark = vars_.size();
    const auto& decl = node.pipe->decl;
    // Returns false when the body executed {{break}}.
    auto iteration = [&](const Value& index, const Value& element) {
      if (!decl.empty()) {
        if (node.pipe->is_assign) {
          set_var(decl[0]->ident[0], decl.size() > 1 ? index : element);
          if (decl.size() > 1) set_var(decl[1]->ident[0], element);
        } else {
          vars_[vars_.size() - 1].second = element;
          if (decl.size() > 1) vars_[vars_.size() - 2].second = index;
        }
      }
      Flow flow = walk(element, *node.list);
      vars_.resize(mark);
      return flow != Flow::kBreak;
    };
    bool iterated = false;
    switch (value.kind()) {
      case Kind::kArray: {
        const Json& items = value.json();
        for (size_t i = 0; i < items.size(); ++i) {
          iterated = true;
          if (!iteration(Value::computed(Json(i)), value.child(items[i], "", true))) break;
        }
        break;
      }
      case Kind::kObject: {
        Shape shape = shape_of(value, types_);
        if (shape == Shape::kStruct || shape == Shape::kPointer) {
          errorf("range can't iterate over " + action_text(value, types_));
        }
        std::vector<std::string> keys;
        for (const auto& [key, element] : value.json().items()) keys.push_back(key);
        std::sort(keys.begin(), keys.end());
        for (const auto& key : keys) {
          iterated = true;
          const Json& element = value.json()[key];
          if (!iteration(Value::computed(Json(key)),
                         value.child(element, key, shape == Shape::kMap))) {
            break;
          }
        }
        break;
      }
      case Kind::kNil:
        break;  // a nil slice or map: nothing to iterate, not an error
      default:
        errorf("range can't iterate over " + action_text(value, types_));
    }
    Flow flow = Flow::kNormal;
    if (!iterated && node.else_list) flow = walk(dot, *node.else_list);
    vars_.resize(outer_mark);
    return flow;
  }

  Value eval_pipeline(const Value& dot, const PipeNode& pipe) {
    at(pipe);
    Final value;
    for (const auto& cmd : pipe.cmds) value = eval_command(dot, *cmd, value);
    for (const auto& variable : pipe.decl) {
      if (pipe.is_assign) {
        set_var(variable->ident[0], *value);
      } else {
        vars_.emplace_back(variable->ident[0], *value);
      }
    }
    return *value;
  }

  Value eval_command(const Value& dot, const CommandNode& cmd, const Final& final) {
    const Node& first = *cmd.args[0];
    Args args(cmd.args);
    switch (first.type) {
      case NodeType::kField:
        return eval_field_node(dot, static_cast<const FieldNode&>(first), args, final);
      case NodeType::kChain:
        return eval_chain_node(dot, static_cast<const ChainNode&>(first), args, final);
      case NodeType::kIdentifier:
        return eval_function(dot, static_cast<const IdentifierNode&>(first), cmd, args, final);
      case NodeType::kPipe:
        not_a_function(args, final);
        return eval_pipeline(dot, static_cast<const PipeNode&>(first));
      case NodeType::kVariable:
        return eval_variable_node(static_cast<const VariableNode&>(first), args, final);
      default:
        break;
    }
    at(first);
    not_a_function(args, final);
    switch (first.type) {
      case NodeType::kBool:
        return Value::computed(Json(static_cast<const BoolNode&>(first).value));
      case NodeType::kDot:
        return dot;
      case NodeType::kNil:
        errorf("nil is not a command");
      case NodeType::kNumber:
        return ideal_constant(static_cast<const NumberNode&>(first));
      case NodeType::kString:
        return Value::computed(Json(static_cast<const StringNode&>(first).text));
      default:
        errorf(fmt::format("can't evaluate command {}", go_quote(first.str())));
    }
  }

  Value ideal_constant(const NumberNode& number) {
    at(number);
    const std::string& text = number.text;
    bool hex_int = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X') &&
                   text.find_first_of("pP") == std::string::npos;
    bool rune_int = !text.empty() && text[0] == '\'';
    if (number.is_float && !hex_int && !rune_int &&
        text.find_first_of(".eEpP") != std::string::npos) {
      return Value::computed(Json(number.float_value));
    }
    if (number.is_int) return Value::computed(Json(number.int_value));
    if (number.is_uint) errorf(text + " overflows int");
    return Value();
  }

  Value eval_field_node(const Value& dot, const FieldNode& field, Args args, const Final& final) {
    at(field);
    return eval_field_chain(dot, field.ident, args, final);
  }

  Value eval_chain_node(const Value& dot, const ChainNode& chain, Args args, const Final& final) {
    if (chain.node->type == NodeType::kNil) {
      errorf("indirection through explicit nil in " + chain.str());
    }
    // Like Go, errors in the chain's fields point at the last node evaluated.
    Value receiver = eval_arg(dot, Param::kValue, *chain.node);
    return eval_field_chain(receiver, chain.fields, args, final);
  }

  Value eval_variable_node(const VariableNode& variable, Args args, const Final& final) {
    at(variable);
    Value value = var_value(variable.ident[0]);
    if (variable.ident.size() == 1) {
      not_a_function(args, final);
      return value;
    }
    return eval_field_chain(value, std::span(variable.ident).subspan(1), args, final);
  }

  Value eval_field_chain(Value receiver, std::span<const std::string> ident, Args args,
                         const Final& final) {
    for (size_t i = 0; i + 1 < ident.size(); ++i) {
      receiver = eval_field(ident[i], {}, std::nullopt, receiver);
    }
    return eval_field(ident.back(), args, final, receiver);
  }

  Value eval_field(const std::string& name, Args args, const Final& final, const Value& receiver) {
    if (!receiver.valid()) return Value();
    bool has_args = args.size() > 1 || final.has_value();
    Shape shape = shape_of(receiver, types_);
    if (receiver.kind() == Kind::kNil) {
      if (shape == Shape::kMap && has_args) errorf(name + " is not a method but has arguments");
      if (shape == Shape::kPointer) {
        errorf(fmt::format("nil pointer evaluating {}.{}", type_name(receiver, types_), name));
      }
      return Value();  // a nil map or interface holds no fields
    }
    if (receiver.kind() == Kind::kObject) {
      std::string key = name;
      if (shape == Shape::kStruct || shape == Shape::kPointer) {
        std::vector<StructField> layout = struct_layout(receiver, types_);
        if (!layout.empty()) {
          auto field = std::find_if(layout.begin(), layout.end(),
                                    [&](const StructField& f) { return f.go_name == name; });
          if (field == layout.end()) {
            errorf(fmt::format("can't evaluate field {} in type {}", name,
                               type_name(receiver, types_)));
          }
          key = field->json_key;
        }
      }
      auto found = receiver.json().find(key);
      if (shape == Shape::kMap) {
        if (has_args) errorf(name + " is not a method but has arguments");
        return found == receiver.json().end() ? Value() : receiver.child(*found, name, true);
      }
      if (found != receiver.json().end()) {
        if (has_args) errorf(name + " has arguments but cannot be invoked as function");
        return receiver.child(*found, name, false);
      }
      // A field the JSON leaves out (omitempty) that GoTypes declares: its type's zero value.
      if (const Json* zero = declared_zero(receiver, name)) {
        if (has_args) errorf(name + " has arguments but cannot be invoked as function");
        return receiver.child(*zero, name, false);
      }
      const std::string* declared = declared_type(receiver, types_);
      errorf(fmt::format("can't evaluate field {} in type {}", name,
                         declared ? *declared : "interface {}"));
    }
    errorf(fmt::format("can't evaluate field {} in type {}", name, type_name(receiver, types_)));
  }

  // The zero value of field `name` of `receiver` when GoTypes declares that field: null for
  // maps, slices and pointers (they print "map[]", "[]", "<nil>"), "", 0 or false for the basic
  // types; nullptr when it is not declared (or is a struct, which JSON never leaves out).
  const Json* declared_zero(const Value& receiver, const std::string& name) const {
    if (!receiver.path()) return nullptr;
    const std::string& parent = *receiver.path();
    auto found = types_.find(parent.empty() ? name : parent + "." + name);
    if (found == types_.end()) return nullptr;
    static const Json kNull;
    static const Json kEmpty = "";
    static const Json kZero = 0;
    static const Json kFalse = false;
    std::string_view type = found->second;
    if (type.starts_with("map[") || type.starts_with("[]") || type.starts_with("*")) return &kNull;
    if (type == "string") return &kEmpty;
    if (type == "bool") return &kFalse;
    if (type.starts_with("int") || type.starts_with("uint") || type.starts_with("float")) {
      return &kZero;
    }
    return nullptr;
  }

  Value eval_function(const Value& dot, const IdentifierNode& ident, const Node& cmd, Args args,
                      const Final& final) {
    at(ident);
    const Function* function = find_function(ident.name);
    if (!function) errorf(fmt::format("\"{}\" is not a defined function", ident.name));
    return eval_call(dot, *function, cmd, args, final);
  }

  Value eval_call(const Value& dot, const Function& function, const Node& cmd, Args args,
                  const Final& final) {
    Args call_args = args.empty() ? args : args.subspan(1);
    size_t num_in = call_args.size() + (final ? 1 : 0);
    const auto& params = function.params;
    size_t num_fixed = function.variadic ? params.size() - 1 : params.size();
    if (function.variadic && num_in < num_fixed) {
      errorf(fmt::format("wrong number of args for {}: want at least {} got {}", function.name,
                         num_fixed, call_args.size()));
    }
    if (!function.variadic && num_in != params.size()) {
      errorf(fmt::format("wrong number of args for {}: want {} got {}", function.name,
                         params.size(), num_in));
    }
    auto param_at = [&](size_t i) { return i < num_fixed ? params[i] : params.back(); };
    if (function.name == "and" || function.name == "or") {
      // Short-circuit: the first false (and) or true (or) argument is the result.
      Value value;
      for (const auto& arg : call_args) {
        value = eval_arg(dot, Param::kValue, *arg);
        if (is_true(value, types_) == (function.name == "or")) return value;
      }
      return final ? *final : value;
    }
    std::vector<Value> argv;
    for (size_t i = 0; i < call_args.size(); ++i) {
      argv.push_back(eval_arg(dot, param_at(i), *call_args[i]));
    }
    if (final) argv.push_back(validate(*final, param_at(num_in - 1)));
    try {
      return function.call(argv, types_);
    } catch (const FuncError& e) {
      at(cmd);
      errorf(fmt::format("error calling {}: {}", function.name, e.message));
    }
  }

  Value eval_arg(const Value& dot, Param param, const Node& node) {
    at(node);
    switch (node.type) {
      case NodeType::kDot:
        return validate(dot, param);
      case NodeType::kNil:
        if (param == Param::kAny) return Value::computed(Json());
        if (param == Param::kValue) return Value();  // Go's zero reflect.Value
        errorf(fmt::format("cannot assign nil to {}", param_type_name(param)));
      case NodeType::kField:
        return validate(eval_field_node(dot, static_cast<const FieldNode&>(node), {}, std::nullopt),
                        param);
      case NodeType::kVariable:
        return validate(
            eval_variable_node(static_cast<const VariableNode&>(node), {}, std::nullopt), param);
      case NodeType::kPipe:
        return validate(eval_pipeline(dot, static_cast<const PipeNode&>(node)), param);
      case NodeType::kIdentifier: {
        const auto& ident = static_cast<const IdentifierNode&>(node);
        return validate(eval_function(dot, ident, ident, {}, std::nullopt), param);
      }
      case NodeType::kChain:
        return validate(eval_chain_node(dot, static_cast<const ChainNode&>(node), {}, std::nullopt),
                        param);
      default:
        break;
    }
    switch (param) {
      case Param::kString:
        if (node.type == NodeType::kString) {
          return Value::computed(Json(static_cast<const StringNode&>(node).text));
        }
        errorf("expected string; found " + node.str());
      case Param::kInt: {
        const auto* number =
            node.type == NodeType::kNumber ? &static_cast<const NumberNode&>(node) : nullptr;
        if (number && number->is_int) return Value::computed(Json(number->int_value));
        errorf("expected integer; found " + node.str());
      }
      case Param::kStringList:
        errorf(fmt::format("can't handle {} for arg of type []string", node.str()));
      case Param::kAny:
      case Param::kValue:
        break;
    }
    if (node.type == NodeType::kBool) {
      return Value::computed(Json(static_cast<const BoolNode&>(node).value));
    }
    if (node.type == NodeType::kNumber) return ideal_constant(static_cast<const NumberNode&>(node));
    if (node.type == NodeType::kString) {
      return Value::computed(Json(static_cast<const StringNode&>(node).text));
    }
    errorf(fmt::format("can't handle assignment of {} to empty interface argument", node.str()));
  }

  // Go's validateType: checks a computed argument against the parameter's type.
  Value validate(const Value& value, Param param) {
    if (param == Param::kValue) return value;
    bool untyped_nil = !value.valid() || (value.kind() == Kind::kNil &&
                                          shape_of(value, types_) == Shape::kUndeclared);
    if (param == Param::kAny) return value.valid() ? value : Value::computed(Json());
    if (untyped_nil) errorf(fmt::format("invalid value; expected {}", param_type_name(param)));
    bool ok = false;
    switch (param) {
      case Param::kString:
        ok = value.kind() == Kind::kString;
        break;
      case Param::kInt:
        ok = value.kind() == Kind::kInt;
        break;
      case Param::kStringList:
        if (value.kind() == Kind::kNil && shape_of(value, types_) == Shape::kSlice) {
          return Value::computed(Json::array());
        }
        ok = value.kind() == Kind::kArray &&
             std::all_of(value.json().begin(), value.json().end(),
                         [](const Json& element) { return element.is_string(); });
        break;
      default:
        ok = true;
    }
    if (!ok) {
      errorf(fmt::format("wrong type for value; expected {}; got {}", param_type_name(param),
                         type_name(value, types_)));
    }
    return value;
  }

  void not_a_function(Args args, const Final& final) {
    if (args.size() > 1 || final) {
      errorf("can't give argument to non-function " + args[0]->str());
    }
  }

  Value var_value(const std::string& name) {
    for (auto it = vars_.rbegin(); it != vars_.rend(); ++it) {
      if (it->first == name) return it->second;
    }
    errorf("undefined variable: " + name);
  }

  void set_var(const std::string& name, const Value& value) {
    for (auto it = vars_.rbegin(); it != vars_.rend(); ++it) {
      if (it->first == name) {
        it->second = value;
        return;
      }
    }
    errorf("undefined variable: " + name);
  }

  void at(const Node& node) { node_ = &node; }

  [[noreturn]] void errorf(const std::string& message) {
    if (!node_) {
      fail(ErrorKind::kInvalidInput, fmt::format("template: {}: {}", tree_.name, message));
    }
    // Go's ErrorContext: the line, and the byte offset within that line.
    std::string_view before = std::string_view(tree_.text).substr(0, node_->pos);
    size_t line = 1 + static_cast<size_t>(std::count(before.begin(), before.end(), '\n'));
    size_t newline = before.rfind('\n');
    size_t column = newline == std::string_view::npos ? node_->pos : node_->pos - newline - 1;
    fail(ErrorKind::kInvalidInput,
         fmt::format("template: {}:{}:{}: executing {} at <{}>: {}", tree_.name, line, column,
                     go_quote(name_), node_->str(), message));
  }

  const Tree& tree_;
  std::string& out_;
  const GoTypes& types_;
  std::string name_;  // the template being executed: the tree's, or a defined one's
  std::vector<std::pair<std::string, Value>> vars_;
  const Node* node_ = nullptr;
  int depth_ = 0;
  // Go allows 100000 nested {{template}} calls; a C++ stack allows fewer.
  static constexpr int kMaxDepth = 1000;
};

}  // namespace

void execute_tree(const Tree& tree, std::string& out, const Value& data, const GoTypes& types) {
  Executor(tree, out, types).run(data);
}

}  // namespace schicht::gotemplate::tmpl
