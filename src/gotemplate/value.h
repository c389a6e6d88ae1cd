// Values of the Go template engine: JSON nodes seen as the Go values podman's templates run
// over. A value remembers its field path so `GoTypes` can say which Go type it was (struct or
// map, slice, pointer); from that follow Go's truth, type names and missing-field rules.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "gotemplate/template.h"

namespace schicht::gotemplate::tmpl {

using Json = nlohmann::ordered_json;

// How a value behaves, from its declared Go type (see GoTypes).
enum class Shape { kUndeclared, kStruct, kMap, kSlice, kPointer };

// Go's basic kinds, as text/template's comparison functions group them.
enum class Kind { kNil, kBool, kInt, kFloat, kString, kArray, kObject };

class Value {
 public:
  // Go's invalid reflect.Value: a missing map key; prints "<no value>".
  Value() = default;

  // A value computed by the template (a literal or a function result): integers are Go ints.
  static Value computed(Json json);
  // The root of the caller's data: integers are int64 fields.
  static Value data(std::shared_ptr<const Json> root);

  bool valid() const { return node_ != nullptr; }
  const Json& json() const { return *node_; }
  const std::optional<std::string>& path() const { return path_; }
  bool from_data() const { return from_data_; }
  Kind kind() const;  // kNil for invalid values too

  // A child node of this value; `map_element` says the parent was a Go map or a slice.
  Value child(const Json& node, const std::string& key, bool map_element) const;
  // A new value of the same Go type as this one (a sub-slice, for instance).
  Value derived(Json json) const;

 private:
  std::shared_ptr<const Json> owner_;
  const Json* node_ = nullptr;
  std::optional<std::string> path_;
  bool from_data_ = false;
};

// The declared Go type of a value, if GoTypes names its path.
const std::string* declared_type(const Value& value, const GoTypes& types);
Shape shape_of(const Value& value, const GoTypes& types);

// Go's name for the value's type, e.g. "string", "int64", "[]string", "images.imageReporter".
std::string type_name(const Value& value, const GoTypes& types);

// A struct field whose Go name differs from its JSON key (see GoTypes' "PATH{}" layouts).
struct StructField {
  std::string go_name;
  std::string json_key;
};

// The field layout GoTypes declares for the value's struct type, in the struct's order; empty
// when it declares none (the JSON keys are then the field names).
std::vector<StructField> struct_layout(const Value& value, const GoTypes& types);

// Whether GoTypes declares the value a time.Time (or *time.Time): an RFC 3339 string in the JSON
// that prints as Go's Time.String() does.
bool is_time(const Value& value, const GoTypes& types);

// Go's Time.String() of an RFC 3339 time: "2006-01-02 15:04:05.999999999 -0700 MST", with "UTC"
// as the zone name at offset zero and the numeric offset again otherwise (a parsed time has a
// fixed zone without a name); the text unchanged if it does not parse.
std::string go_time_string(std::string_view rfc3339);

// Go's truth: false, 0, "", nil and empty slices and maps are false; structs are true.
bool is_true(const Value& value, const GoTypes& types);

// The integer of a kInt value, if it fits an int64.
std::optional<int64_t> to_int64(const Json& json);

// -1, 0, 1 comparing two kInt values, signed or unsigned.
int compare_integers(const Json& a, const Json& b);

}  // namespace schicht::gotemplate::tmpl
