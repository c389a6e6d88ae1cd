#include "gotemplate/value.h"

#include <cstdlib>
#include <ctime>
#include <limits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/time.h"

namespace schicht::gotemplate::tmpl {

Value Value::computed(Json json) {
  Value value;
  value.owner_ = std::make_shared<const Json>(std::move(json));
  value.node_ = value.owner_.get();
  return value;
}

Value Value::data(std::shared_ptr<const Json> root) {
  Value value;
  value.owner_ = std::move(root);
  value.node_ = value.owner_.get();
  value.path_ = "";
  value.from_data_ = true;
  return value;
}

Kind Value::kind() const {
  if (!node_) return Kind::kNil;
  switch (node_->type()) {
    case Json::value_t::boolean:
      return Kind::kBool;
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return Kind::kInt;
    case Json::value_t::number_float:
      return Kind::kFloat;
    case Json::value_t::string:
      return Kind::kString;
    case Json::value_t::array:
      return Kind::kArray;
    case Json::value_t::object:
      return Kind::kObject;
    default:
      return Kind::kNil;
  }
}

Value Value::child(const Json& node, const std::string& key, bool map_element) const {
  Value value;
  value.owner_ = owner_;
  value.node_ = &node;
  value.from_data_ = from_data_;
  if (path_) {
    if (map_element) {
      value.path_ = *path_ + "[]";
    } else {
      value.path_ = path_->empty() ? key : *path_ + "." + key;
    }
  }
  return value;
}

Value Value::derived(Json json) const {
  Value value = computed(std::move(json));
  value.path_ = path_;
  value.from_data_ = from_data_;
  return value;
}

const std::string* declared_type(const Value& value, const GoTypes& types) {
  if (!value.path()) return nullptr;
  auto found = types.find(*value.path());
  return found == types.end() ? nullptr : &found->second;
}

Shape shape_of(const Value& value, const GoTypes& types) {
  const std::string* name = declared_type(value, types);
  if (!name) return Shape::kUndeclared;
  if (name->starts_with("map[")) return Shape::kMap;
  if (name->starts_with("[]")) return Shape::kSlice;
  if (name->starts_with("*")) return Shape::kPointer;
  return Shape::kStruct;
}

std::string type_name(const Value& value, const GoTypes& types) {
  if (const std::string* name = declared_type(value, types)) return *name;
  switch (value.kind()) {
    case Kind::kNil:
      return "interface {}";
    case Kind::kBool:
      return "bool";
    case Kind::kInt:
      return value.from_data() ? "int64" : "int";
    case Kind::kFloat:
      return "float64";
    case Kind::kString:
      return "string";
    case Kind::kArray: {
      for (const auto& element : value.json()) {
        if (!element.is_string()) return "[]interface {}";
      }
      return "[]string";
    }
    case Kind::kObject: {
      for (const auto& [key, element] : value.json().items()) {
        if (!element.is_string()) return "map[string]interface {}";
      }
      return "map[string]string";
    }
  }
  return "interface {}";
}

std::vector<StructField> struct_layout(const Value& value, const GoTypes& types) {
  std::vector<StructField> fields;
  if (!value.path()) return fields;
  auto found = types.find(*value.path() + "{}");
  if (found == types.end()) return fields;
  std::string_view spec = found->second;
  while (!spec.empty()) {
    size_t end = spec.find(' ');
    std::string_view entry = spec.substr(0, end);
    size_t colon = entry.find(':');
    if (colon == std::string_view::npos) {
      fields.push_back({std::string(entry), std::string(entry)});
    } else {
      fields.push_back({std::string(entry.substr(0, colon)), std::string(entry.substr(colon + 1))});
    }
    spec = end == std::string_view::npos ? std::string_view() : spec.substr(end + 1);
  }
  return fields;
}

bool is_time(const Value& value, const GoTypes& types) {
  const std::string* name = declared_type(value, types);
  return name && (*name == "time.Time" || *name == "*time.Time");
}

std::string go_time_string(std::string_view rfc3339) {
  std::optional<Timestamp> time = try_parse_rfc3339(rfc3339);
  if (!time) return std::string(rfc3339);
  std::time_t local = static_cast<std::time_t>(time->unix_seconds + time->utc_offset_seconds);
  std::tm fields{};
  if (!gmtime_r(&local, &fields)) return std::string(rfc3339);
  std::string out =
      fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", fields.tm_year + 1900L, fields.tm_mon + 1,
                  fields.tm_mday, fields.tm_hour, fields.tm_min, fields.tm_sec);
  if (time->nanos != 0) {
    std::string fraction = fmt::format("{:09}", time->nanos);
    fraction.erase(fraction.find_last_not_of('0') + 1);
    out += "." + fraction;
  }
  int32_t offset = time->utc_offset_seconds;
  std::string zone = fmt::format("{}{:02}{:02}", offset < 0 ? '-' : '+', std::abs(offset) / 3600,
                                 std::abs(offset) % 3600 / 60);
  out += " " + zone + " " + (offset == 0 ? std::string("UTC") : zone);
  return out;
}

bool is_true(const Value& value, const GoTypes& types) {
  switch (value.kind()) {
    case Kind::kNil:
      return false;
    case Kind::kBool:
      return value.json().get<bool>();
    case Kind::kInt:
      return compare_integers(value.json(), Json(0)) != 0;
    case Kind::kFloat:
      return value.json().get<double>() != 0;
    case Kind::kString:
      return !value.json().get_ref<const std::string&>().empty();
    case Kind::kArray:
      return !value.json().empty();
    case Kind::kObject: {
      Shape shape = shape_of(value, types);
      if (shape == Shape::kStruct || shape == Shape::kPointer) return true;
      return !value.json().empty();
    }
  }
  return false;
}

std::optional<int64_t> to_int64(const Json& json) {
  if (json.is_number_unsigned()) {
    auto u = json.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
    return static_cast<int64_t>(u);
  }
  if (json.is_number_integer()) return json.get<int64_t>();
  return std::nullopt;
}

int compare_integers(const Json& a, const Json& b) {
  bool a_negative = !a.is_number_unsigned() && a.get<int64_t>() < 0;
  bool b_negative = !b.is_number_unsigned() && b.get<int64_t>() < 0;
  if (a_negative != b_negative) return a_negative ? -1 : 1;
  if (a_negative) {
    auto x = a.get<int64_t>(), y = b.get<int64_t>();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  auto x = a.get<uint64_t>(), y = b.get<uint64_t>();
  return x < y ? -1 : x > y ? 1 : 0;
}

}  // namespace schicht::gotemplate::tmpl
