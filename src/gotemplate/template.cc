#include "gotemplate/template.h"

#include <nlohmann/json.hpp>

#include "gotemplate/exec.h"
#include "gotemplate/parser.h"
#include "gotemplate/rows.h"

namespace schicht::gotemplate {

Template::Template(std::shared_ptr<const tmpl::Tree> tree) : tree_(std::move(tree)) {
  if (auto plan = tmpl::plan_rows(*tree_)) {
    rows_ = std::make_shared<const tmpl::RowPlan>(std::move(*plan));
  }
}

Template Template::parse(std::string_view text, std::string_view name) {
  return Template(tmpl::parse_tree(text, name));
}

std::string Template::render(const nlohmann::json& data, const GoTypes& types) const {
  return render(to_ordered(data), types);
}

std::string Template::render(const nlohmann::ordered_json& data, const GoTypes& types) const {
  std::string out;
  execute(out, data, types);
  return out;
}

void Template::execute(std::string& out, const nlohmann::ordered_json& data,
                       const GoTypes& types) const {
  if (rows_ && tmpl::execute_rows(*rows_, data, out)) return;
  // The data outlives the execution: refer to it without owning it.
  std::shared_ptr<const nlohmann::ordered_json> root(std::shared_ptr<void>(), &data);
  tmpl::execute_tree(*tree_, out, tmpl::Value::data(root), types);
}

const std::vector<std::string>* Template::plain_fields() const {
  return rows_ ? &rows_->fields : nullptr;
}

void Template::execute_cells(std::span<const std::string_view> cells,
                             const std::function<void(std::string_view)>& sink) const {
  tmpl::execute_cells(*rows_, cells, sink);
}

void Template::tabulate_cells(std::span<const std::string_view> cells, TabWriter& writer) const {
  tmpl::tabulate_cells(*rows_, cells, writer);
}

const std::string& Template::name() const {
  return tree_->name;
}

nlohmann::ordered_json to_ordered(const nlohmann::json& value) {
  if (value.is_object()) {
    nlohmann::ordered_json object = nlohmann::ordered_json::object();
    for (const auto& [key, element] : value.items()) object[key] = to_ordered(element);
    return object;
  }
  if (value.is_array()) {
    nlohmann::ordered_json array = nlohmann::ordered_json::array();
    for (const auto& element : value) array.push_back(to_ordered(element));
    return array;
  }
  switch (value.type()) {
    case nlohmann::json::value_t::boolean:
      return value.get<bool>();
    case nlohmann::json::value_t::number_integer:
      return value.get<int64_t>();
    case nlohmann::json::value_t::number_unsigned:
      return value.get<uint64_t>();
    case nlohmann::json::value_t::number_float:
      return value.get<double>();
    case nlohmann::json::value_t::string:
      return value.get<std::string>();
    default:
      return nullptr;
  }
}

}  // namespace schicht::gotemplate
